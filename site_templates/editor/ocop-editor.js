// The web editor's own part (quan-tri/): the record format, the widgets that know places and
// ids, and the save hook; then it starts Decap (setup.js asked it to wait).
//
// Records are written as the rest of the project writes them, and an edited record keeps
// every line that was not edited (comments, quoting, order): Decap's own YAML format rewrites
// the whole file. The original text rides along in the entry's data under SOURCE while the
// form is open; the edited values are set into a parse of it, and it is never written.
import { Document, isMap, isScalar, isSeq, parseDocument, Scalar } from "./yaml/index.js";

const CMS = window.CMS;
const h = window.h;
const createClass = window.createClass;

const SOURCE = "ocop_source";
const FOLDER = "ocop_province_folder";
const OUTPUT = {
  lineWidth: 0,
  indentSeq: true,
  defaultStringType: "QUOTE_DOUBLE",
  defaultKeyType: "PLAIN",
  flowCollectionPadding: false, // ["L2026-09"], as the guides write a recall's lots
};

const [places, ids, order] = await Promise.all(
  ["places.json", "ids.json", "order.json"].map((name) =>
    fetch(name).then((response) => response.json())),
);
const provinces = new Map(places.provinces.map(([code, name, folder]) =>
  [code, { code, name, folder, folded: fold(name) }]));
const communes = new Map(places.communes.map(([code, name, province]) =>
  [code, { code, name, province, folded: fold(name) }]));

// --- text: the same folding and slugs as generator/text.py ------------------------------------

export function fold(text) {
  return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase().split(/\s+/).filter(Boolean).join(" ");
}

export function slug(text) {
  return fold(text).replace(/[^a-z0-9]/g, "-").split("-").filter(Boolean).join("-");
}

// --- ids: the rules of generator/skeleton/ids.py ---------------------------------------------

function fit(base, limit) {
  if (base.length <= limit) return base;
  const cut = base.slice(0, limit);
  return cut.includes("-") && base[limit] !== "-"
    ? cut.slice(0, cut.lastIndexOf("-")) : cut.replace(/-+$/, "");
}

function uniqueId(base, used, limit) {
  const taken = new Set(used);
  let candidate = fit(base, limit);
  for (let number = 2; taken.has(candidate); number += 1) {
    const suffix = `-${number}`;
    candidate = fit(base, limit - suffix.length) + suffix;
  }
  return candidate;
}

function suggestProductId(data) {
  const name = slug(data.getIn(["name"]) || "");
  const province = data.getIn(["place", "province"])
    || communes.get(data.getIn(["place", "commune"]) || "")?.province;
  const prefix = ids.province_prefixes[province || ""] || "";
  const base = [prefix, name].filter(Boolean).join("-");
  return base ? uniqueId(base, ids.products, ids.product_max) : "";
}

function suggestProducerId(data) {
  const [short, prefixes] = ids.kind_prefixes[data.getIn(["kind"]) || ""] || ["", []];
  let rest = slug(data.getIn(["name"]) || "");
  if (!rest) return "";
  for (const p of prefixes) {
    if (rest === p || rest.startsWith(p + "-")) {
      rest = rest.slice(p.length).replace(/^-+/, "");
      break;
    }
  }
  const base = [short, rest].filter(Boolean).join("-") || "chu-the";
  return uniqueId(base, ids.producers, ids.producer_max);
}

// --- the record format -------------------------------------------------------------------

function isPlainObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Empty values are not written: the schema has no empty strings, lists or objects, and a field
// left empty in the form means "not known".
function prune(value) {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (isPlainObject(value)) {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith("ocop_")) continue;
      const kept = prune(item);
      if (kept !== undefined) out[key] = kept;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string" && value.trim() === "") return undefined;
  return value;
}

function ordered(value, path, top) {
  if (Array.isArray(value)) return value.map((item) => ordered(item, path, null));
  if (!isPlainObject(value)) return value;
  const wanted = top || order[path] || [];
  const keys = Object.keys(value).sort((a, b) => rank(wanted, a) - rank(wanted, b));
  const out = {};
  for (const key of keys) out[key] = ordered(value[key], path ? `${path}.${key}` : key, null);
  return out;
}

function rank(wanted, key) {
  const at = wanted.indexOf(key);
  return at < 0 ? wanted.length : at;
}

function node(doc, value) {
  if (typeof value === "string" && value.includes("\n")) {
    const scalar = new Scalar(value);
    scalar.type = "BLOCK_LITERAL";
    return scalar;
  }
  if (Array.isArray(value)) {
    const seq = doc.createNode([]);
    for (const item of value) seq.items.push(node(doc, item));
    return seq;
  }
  if (isPlainObject(value)) {
    const map = doc.createNode({});
    for (const [key, item] of Object.entries(value)) {
      const pair = doc.createPair(key, null);
      pair.value = node(doc, item);
      map.items.push(pair);
    }
    return map;
  }
  return doc.createNode(value);
}

function keyOf(pair) {
  return String(isScalar(pair.key) ? pair.key.value : pair.key);
}

// Sets `value` into the parsed `current` node, keeping every node whose value is unchanged.
function update(doc, current, value, path) {
  if (isPlainObject(value) && isMap(current)) {
    const wanted = Object.keys(value);
    current.items = current.items.filter((pair) => wanted.includes(keyOf(pair)));
    for (const key of wanted) {
      const childPath = path ? `${path}.${key}` : key;
      const at = current.items.findIndex((pair) => keyOf(pair) === key);
      if (at >= 0) {
        current.items[at].value = update(doc, current.items[at].value, value[key], childPath);
      } else {
        const pair = doc.createPair(key, null);
        pair.value = node(doc, value[key]);
        // placed after the last present key that comes before it in the schema's order
        const names = order[path] || wanted;
        const after = current.items.reduce((last, p, i) =>
          (rank(names, keyOf(p)) < rank(names, key) ? i : last), -1);
        current.items.splice(after + 1, 0, pair);
      }
    }
    return current;
  }
  if (Array.isArray(value) && isSeq(current)) {
    current.items = value.map((item, i) =>
      (i < current.items.length ? update(doc, current.items[i], item, path) : node(doc, item)));
    return current;
  }
  if (isScalar(current) && !isPlainObject(value) && !Array.isArray(value)) {
    if (current.value !== value) {
      current.value = value;
      if (typeof value === "string" && value.includes("\n")) current.type = "BLOCK_LITERAL";
    }
    return current;
  }
  return node(doc, value);
}

const recordFormat = {
  fromFile(content) {
    const doc = parseDocument(content);
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join("\n"));
    return { ...doc.toJS(), [SOURCE]: content };
  },
  toFile(data, sortedKeys = []) {
    const source = data[SOURCE];
    const value = ordered(prune(data) || {}, "", sortedKeys);
    if (source) {
      const doc = parseDocument(source);
      doc.contents = update(doc, doc.contents, value, "");
      return doc.toString(OUTPUT);
    }
    const doc = new Document();
    doc.contents = node(doc, value);
    return doc.toString(OUTPUT);
  },
};

// --- widgets -------------------------------------------------------------------------------

function isNewEntry(entry) {
  return Boolean(entry && entry.get("newRecord"));
}

// The live entry: the `entry` prop is the one of the widget's last render, which Decap skips
// when only other fields changed.
function liveEntry(props) {
  return props.getEntry ? props.getEntry() : props.entry;
}

const IdControl = createClass({
  getInitialState() {
    return { typed: false };
  },
  // The proposal follows the name and the province as they are typed, until the id itself is.
  componentDidMount() {
    this.propose();
    this.timer = setInterval(() => this.propose(), 300);
  },
  componentWillUnmount() { clearInterval(this.timer); },
  componentDidUpdate() { this.propose(); },
  shouldComponentUpdate() { return true; },
  suggestion() {
    const data = liveEntry(this.props).get("data");
    return this.props.field.get("record") === "producer"
      ? suggestProducerId(data) : suggestProductId(data);
  },
  propose() {
    if (!isNewEntry(liveEntry(this.props)) || this.state.typed) return;
    const wanted = this.suggestion();
    if (wanted && wanted !== this.props.value) this.props.onChange(wanted);
  },
  isValid() {
    const used = this.props.field.get("record") === "producer" ? ids.producers : ids.products;
    if (isNewEntry(liveEntry(this.props)) && used.includes(this.props.value)) {
      return { error: { message: `Mã “${this.props.value}” đã dùng; mã không bao giờ dùng lại, chọn mã khác.` } };
    }
    return true;
  },
  render() {
    const { forID, value, classNameWrapper, setActiveStyle, setInactiveStyle } = this.props;
    if (!isNewEntry(liveEntry(this.props))) {
      return h("div", { id: forID, className: classNameWrapper, "data-ocop-id": value },
        h("strong", null, value || ""),
        " · không đổi được sau lần lưu đầu: trang sản phẩm và mã QR đã in dùng mã này.");
    }
    return h("input", {
      type: "text",
      id: forID,
      className: classNameWrapper,
      value: value || "",
      autoComplete: "off",
      spellCheck: false,
      onChange: (event) => {
        this.setState({ typed: true });
        this.props.onChange(event.target.value);
      },
      onFocus: setActiveStyle,
      onBlur: setInactiveStyle,
    });
  },
});

function placeControl(kind) {
  const label = (code) => {
    if (kind === "province") return provinces.get(code)?.name || "";
    const commune = communes.get(code);
    return commune ? `${commune.name}, ${provinces.get(commune.province)?.name || ""}` : "";
  };
  const search = (query, province) => {
    const wanted = fold(query);
    if (!wanted) return [];
    const pool = kind === "province" ? provinces.values() : communes.values();
    const found = [];
    for (const item of pool) {
      if (province && item.province !== province) continue;
      if (item.folded.includes(wanted)) found.push(item);
      if (found.length >= 30) break;
    }
    return found;
  };
  return createClass({
    getInitialState() {
      return { query: null };
    },
    choose(code) {
      this.setState({ query: null });
      this.props.onChange(code);
    },
    render() {
      const { forID, value, classNameWrapper, setActiveStyle, setInactiveStyle } = this.props;
      const province = kind === "commune"
        ? liveEntry(this.props).getIn(["data", "place", "province"]) : null;
      const query = this.state.query;
      const matches = query === null ? [] : search(query, province);
      const list = `${forID}-matches`;
      return h("div", { className: "ocop-place" },
        h("input", {
          type: "text",
          id: forID,
          className: classNameWrapper,
          role: "combobox",
          "aria-controls": list,
          "aria-expanded": matches.length > 0,
          autoComplete: "off",
          placeholder: "Gõ tên, có dấu hay không dấu",
          value: query === null ? label(value) : query,
          onChange: (event) => this.setState({ query: event.target.value }),
          onFocus: setActiveStyle,
          onBlur: setInactiveStyle,
        }),
        matches.length
          ? h("ul", { id: list, role: "listbox", style: { listStyle: "none", padding: 0, margin: "4px 0", maxHeight: "16rem", overflowY: "auto" } },
            matches.map((item) => h("li", { key: item.code, role: "option" },
              h("button", {
                type: "button",
                style: { display: "block", width: "100%", textAlign: "left", padding: "6px 8px", border: 0, background: "#eef2f7", marginBottom: "2px", cursor: "pointer" },
                onMouseDown: (event) => event.preventDefault(),
                onClick: () => this.choose(item.code),
              }, `${label(item.code)} (${item.code})`))))
          : null,
        query !== null && !matches.length && fold(query)
          ? h("p", { role: "status" }, "Không thấy nơi nào có tên này.") : null,
        value ? h("p", { style: { margin: "4px 0 0", color: "#555" } }, `Mã: ${value}`) : null);
    },
  });
}

// --- save hook: the province and the folder follow the commune ------------------------------

function beforeSave({ entry }) {
  let data = entry.get("data");
  const commune = communes.get(data.getIn(["place", "commune"]) || "");
  if (commune && data.getIn(["place", "province"]) !== commune.province) {
    data = data.setIn(["place", "province"], commune.province);
  }
  const province = provinces.get(data.getIn(["place", "province"]) || "");
  return province ? data.set(FOLDER, province.folder) : data;
}

// Phrases Decap's Vietnamese locale lacks (they would show in English)
function withPhrases(phrases, extra) {
  const out = { ...phrases };
  for (const [key, value] of Object.entries(extra)) {
    out[key] = isPlainObject(value) ? withPhrases(phrases?.[key] || {}, value) : value;
  }
  return out;
}
CMS.registerLocale("vi", withPhrases(CMS.getLocale("vi"), {
  editor: {
    editorWidgets: {
      list: { add: "Thêm %{item}", addType: "Thêm %{item}" },
      image: { addMore: "Thêm ảnh" },
      file: { addMore: "Thêm tệp" },
    },
  },
}));
CMS.registerCustomFormat("ocop-yaml", "yaml", recordFormat);
CMS.registerWidget("ocop-id", IdControl);
CMS.registerWidget("ocop-province", placeControl("province"));
CMS.registerWidget("ocop-commune", placeControl("commune"));
CMS.registerEventListener({ name: "preSave", handler: beforeSave });
CMS.init();

// Search over the static index (generator/render/search.py). No dependencies, no third party.
"use strict";
(function () {
  var root = document.body.getAttribute("data-root") || "./";
  var base = root + "search/";
  var cache = {};
  function get(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + path).then(function (r) {
        if (!r.ok) { return null; }
        return r.json();
      }).catch(function () { return null; });
    }
    return cache[path];
  }
  // Same folding as generator/text.py: no tone marks, đ -> d, lower case.
  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase();
  }
  function words(text) {
    return (fold(text).match(/[a-z0-9]+/g) || []).filter(function (w) { return w.length > 1; });
  }
  function todayVN() {
    return new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  }
  function fromBase36(s) { return parseInt(s, 36); }
  function dayNumber(iso, epoch) {
    return Math.round((Date.parse(iso + "T00:00:00Z") - Date.parse(epoch + "T00:00:00Z")) / 864e5);
  }
  // The build's status re-checked for the reader's day, by the rule of the pages: valid only
  // while valid for every day the decision could be, expired only once expired for all of them.
  function statusOf(meta, n, today) {
    var f = meta.facets.substr(n * 7, 7);
    var s = f.charAt(3);
    if (s !== "v" && s !== "u") { return s; }
    var day = dayNumber(today, meta.epoch);
    var earliest = fromBase36(f.substr(4, 3));
    var span = (meta.spans || {})[n];
    var latest = span ? span[0] : earliest;
    if (span && span[1] !== null && span[1] <= day) { return "r"; }
    if (latest < day) { return "e"; }
    if (earliest < day) { return "u"; }
    return s;
  }
  function postings(meta, word) {
    var key = word.slice(0, 2);
    if (meta.shards.indexOf(key) < 0) { return Promise.resolve([]); }
    return get("t/" + key + ".json").then(function (shard) {
      var found = {};
      if (!shard) { return []; }
      Object.keys(shard).forEach(function (token) {
        if (token.indexOf(word) === 0) {
          var n = 0;
          shard[token].forEach(function (d) { n += d; found[n] = true; });
        }
      });
      return Object.keys(found).map(Number);
    });
  }
  var STATUS_TEXT = { v: "Còn hiệu lực", u: "Chưa rõ hiệu lực", e: "Hết hiệu lực", r: "Đã bị thu hồi", w: "Đã ngừng" };
  var STATUS_CLASS = { v: "valid", u: "unknown_date", e: "expired", r: "revoked", w: "withdrawn" };
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  var generation = 0;  // a newer query wins over answers still arriving for an older one
  function render(meta, numbers, today, mine) {
    var list = document.getElementById("results");
    var status = document.getElementById("search-status");
    var shown = numbers.slice(0, 50);
    if (mine !== generation) { return Promise.resolve(); }
    status.textContent = numbers.length
      ? numbers.length + " sản phẩm" + (numbers.length > shown.length ? ", hiện " + shown.length + " đầu tiên" : "") + "."
      : "Không tìm thấy sản phẩm nào. Thử bỏ bớt từ hoặc bộ lọc.";
    var chunks = {};
    shown.forEach(function (n) { chunks[Math.floor(n / meta.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (k) {
      return get("d/" + k + ".json").then(function (rows) { chunks[k] = rows || []; });
    })).then(function () {
      if (mine !== generation) { return; }
      list.textContent = "";
      shown.forEach(function (n) {
        var row = chunks[Math.floor(n / meta.chunk)][n % meta.chunk];
        if (!row) { return; }
        var s = statusOf(meta, n, today);
        var li = el("li", "card");
        var a = el("a", null, row[1]);
        a.href = root + "p/" + row[0] + "/";
        li.appendChild(a);
        var line = el("div");
        var stars = el("span", "stars", "★★★★★".slice(0, row[5]) + "☆☆☆☆☆".slice(row[5]));
        stars.setAttribute("aria-label", row[5] + " sao");
        line.appendChild(stars);
        line.appendChild(document.createTextNode(" "));
        line.appendChild(el("span", "badge badge-" + STATUS_CLASS[s], STATUS_TEXT[s]));
        if (row[8]) { line.appendChild(document.createTextNode(" ")); line.appendChild(el("span", "badge", "ví dụ")); }
        li.appendChild(line);
        li.appendChild(el("div", "muted", row[2]));
        li.appendChild(el("div", "muted", row[3] + ", " + row[4]));
        list.appendChild(li);
      });
    });
  }
  function run(meta) {
    var mine = ++generation;
    var form = document.getElementById("search-form");
    var q = form.q.value;
    var province = form.tinh.value, group = form.nhom.value, stars = form.sao.value;
    var validity = form["hieu-luc"].value;
    var today = todayVN();
    var ws = words(q);
    var wanted = { valid: "v", unknown_date: "u", expired: "e", revoked: "r", withdrawn: "w" }[validity];
    var pIndex = province ? meta.provinces.indexOf(province) : -1;
    var gIndex = group ? meta.groups.indexOf(group) + 1 : 0;
    var candidates;
    if (ws.length) {
      candidates = Promise.all(ws.map(function (w) { return postings(meta, w); }))
        .then(function (lists) {
          lists.sort(function (a, b) { return a.length - b.length; });
          return lists[0].filter(function (n) {
            return lists.every(function (l) { return l.indexOf(n) >= 0; });
          });
        });
    } else if (province || group || stars || validity) {
      var all = [];
      for (var i = 0; i < meta.count; i++) { all.push(i); }
      candidates = Promise.resolve(all);
    } else {
      document.getElementById("search-status").textContent = "Gõ tên sản phẩm, chủ thể, xã hoặc tỉnh.";
      document.getElementById("results").textContent = "";
      return;
    }
    candidates.then(function (numbers) {
      numbers = numbers.filter(function (n) {
        var f = meta.facets.substr(n * 7, 7);
        if (pIndex >= 0 && f.charCodeAt(0) - 48 !== pIndex) { return false; }
        if (gIndex && Number(f.charAt(1)) !== gIndex) { return false; }
        if (stars && f.charAt(2) !== stars) { return false; }
        if (wanted && statusOf(meta, n, today) !== wanted) { return false; }
        return true;
      });
      numbers.sort(function (a, b) {
        return (meta.facets.charAt(b * 7 + 2) - meta.facets.charAt(a * 7 + 2)) || (a - b);
      });
      return render(meta, numbers, today, mine);
    });
  }
  var form = document.getElementById("search-form");
  if (!form) { return; }
  var params = new URLSearchParams(location.search);
  ["q", "tinh", "nhom", "sao", "hieu-luc"].forEach(function (name) {
    if (params.get(name) !== null && form[name]) { form[name].value = params.get(name); }
  });
  document.getElementById("search-status").textContent = "Đang tải chỉ mục…";
  get("meta.json").then(function (meta) {
    if (!meta) { document.getElementById("search-status").textContent = "Không tải được chỉ mục tìm kiếm."; return; }
    var timer = null;
    function later() { clearTimeout(timer); timer = setTimeout(function () { run(meta); update(); }, 150); }
    function update() {
      var p = new URLSearchParams();
      ["q", "tinh", "nhom", "sao", "hieu-luc"].forEach(function (name) { if (form[name].value) { p.set(name, form[name].value); } });
      history.replaceState(null, "", "?" + p.toString());
    }
    form.addEventListener("submit", function (e) { e.preventDefault(); run(meta); update(); });
    form.q.addEventListener("input", later);
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) { s.addEventListener("change", later); });
    run(meta);
  });
})();

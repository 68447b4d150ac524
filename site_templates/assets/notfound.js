/* 404 page: leads a hand-typed address to its page.
   "/P/QN-Ruou-Mo", "/p/qn ruou mo", "/qn_ruou_mo" -> "p/qn-ruou-mo/"; a lot code typed in the
   wrong case or with spaces, "/p/qn-valid/lo/l2026 07", "/01/08930000000019/10/l2026-07" ->
   "p/qn-valid/lo/L2026-07/", "01/08930000000019/10/L2026-07/", when that page exists (checked
   with same-origin HEAD requests, so the page needs no list of products or lots); otherwise it
   shows the box for the product id. The addresses' shapes come from the page (data attributes
   of #nf-form, written from generator/urls.py), so no path is spelled here.
   Plain ES5: runs on old phones; the page explains everything without it. */
(function () {
  "use strict";

  var ID_MAX = 32;
  var ID_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  /* A lot code as printed (schemas/lots.schema.json): A-Z, 0-9, "-" and ".", 1 to 20. */
  var LOT_SHAPE = /^[A-Z0-9][A-Z0-9.\-]{0,19}$/;

  /* A product id as people type it -> the canonical id, or "" if it cannot be one. */
  function productId(text) {
    var s = String(text == null ? "" : text);
    if (s.normalize) {
      s = s.normalize("NFD");
    }
    s = s.replace(/[\u0300-\u036f]/g, "").replace(/[\u0111\u0110]/g, "d").toLowerCase();
    s = s.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return s.length <= ID_MAX && ID_SHAPE.test(s) ? s : "";
  }

  /* A lot code as people type it -> the codes it may be, most likely first: upper case, with
     the spaces removed, or read as the "-" or "." they replaced ("l2026 07" -> "L202607",
     "L2026-07", "L2026.07"). */
  function lotCodes(text) {
    var s = String(text == null ? "" : text).toUpperCase().replace(/^\s+|\s+$/g, "");
    var found = [];
    var tries = [s.replace(/\s+/g, ""), s.replace(/\s+/g, "-"), s.replace(/\s+/g, ".")];
    for (var i = 0; i < tries.length; i++) {
      if (LOT_SHAPE.test(tries[i]) && found.indexOf(tries[i]) < 0) {
        found.push(tries[i]);
      }
    }
    return found;
  }

  /* GTIN-8/12/13/14 -> its 14 digits, or "". */
  function gtin14(digits) {
    return /^(?:\d{8}|\d{12,14})$/.test(digits) ? ("00000000000000" + digits).slice(-14) : "";
  }

  function decode(text) {
    try {
      return decodeURIComponent(text);
    } catch (e) {
      return null; /* a broken %-escape: not something typed from a label */
    }
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  /* An address shape ("p/{id}/lo/{lot}/") -> a pattern that takes it in any case and with spaces
     around its slashes; `prefixOptional`: the part before the first placeholder may be left out
     ("qn-valid" for "p/qn-valid/"). */
  function matcher(shape, prefixOptional) {
    var parts = shape.replace(/\/$/, "").split(/(\{\w+\})/);
    var names = [];
    var source = "";
    for (var i = 0; i < parts.length; i++) {
      var name = /^\{(\w+)\}$/.exec(parts[i]);
      if (name) {
        names.push(name[1]);
        source += "([^/]+?)";
      } else if (parts[i]) {
        var literal = escapeRegExp(parts[i]).replace(/\//g, "\\s*/\\s*");
        source += i === 0 && prefixOptional ? "(?:" + literal + ")?" : literal;
      }
    }
    var pattern = new RegExp("^" + source + "$", "i");
    return function (path) {
      var found = pattern.exec(path);
      if (!found) {
        return null;
      }
      var values = {};
      for (var j = 0; j < names.length; j++) {
        values[names[j]] = found[j + 1].replace(/^\s+|\s+$/g, "");
      }
      return values;
    };
  }

  function fill(shape, values) {
    return shape.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; });
  }

  /* The requested path (location.pathname) -> the pages it probably meant, most likely first:
     [{page: site-relative path, label: what it is, in words, id: a product id or ""}]. `shapes`:
     {product, lot, gs1, gs1Lot} as the page gives them. */
  function candidates(pathname, root, shapes) {
    var path = decode(String(pathname || ""));
    if (path === null) {
      return [];
    }
    root = root || "/";
    if (path.toLowerCase().indexOf(root.toLowerCase()) === 0) {
      path = path.slice(root.length);
    }
    path = path.replace(/(^|\/)index\.html?$/i, "").replace(/^[\s\/]+|[\s\/]+$/g, "");
    if (/\.(?:html?|pdf|png|svg|jpe?g|webp|gif|json|csv|xml|txt|js|css|ico|zip)$/i.test(path)) {
      return []; /* a missing file, not a product typed by hand (and not this page itself) */
    }
    /* A lot's page: one candidate per reading of its code (lotCodes), for the shape given. */
    function lotPages(shape, fields, typed, owner) {
      return lotCodes(typed).map(function (code) {
        var page = fill(shape.replace("{lot}", code), fields);
        return { page: page, label: "lô " + code + " của " + owner, id: "" };
      });
    }
    var lot = matcher(shapes.lot, false)(path);
    if (lot && productId(lot.id)) {
      return lotPages(shapes.lot, { id: productId(lot.id) }, lot.lot,
        "sản phẩm mã " + productId(lot.id));
    }
    var gs1Lot = matcher(shapes.gs1Lot, false)(path);
    if (gs1Lot && gtin14(gs1Lot.gtin)) {
      return lotPages(shapes.gs1Lot, { gtin: gtin14(gs1Lot.gtin) }, gs1Lot.lot,
        "mã vạch " + gtin14(gs1Lot.gtin));
    }
    var gs1 = matcher(shapes.gs1, true)(path);
    if (gs1 && gtin14(gs1.gtin)) {
      return [{
        page: fill(shapes.gs1, { gtin: gtin14(gs1.gtin) }),
        label: "sản phẩm mã vạch " + gtin14(gs1.gtin),
        id: ""
      }];
    }
    var product = matcher(shapes.product, true)(path);
    var id = product ? productId(product.id) : "";
    return id ? [{ page: fill(shapes.product, { id: id }), label: "sản phẩm mã " + id, id: id }] : [];
  }

  /* The first page `candidates` gives, or "" (unit tests). */
  function candidate(pathname, root, shapes) {
    var found = candidates(pathname, root, shapes);
    return found.length ? found[0].page : "";
  }

  var api = { productId: productId, lotCodes: lotCodes, candidates: candidates, candidate: candidate };
  if (typeof module === "object" && module.exports) {
    module.exports = api; /* unit tests under Node */
  }
  if (typeof document === "undefined") {
    return;
  }

  var root = document.body.getAttribute("data-root") || "/";
  var status = document.getElementById("nf-status");
  var form = document.getElementById("nf-form");
  var input = document.getElementById("nf-id");
  if (!form) {
    return;
  }
  var shapes = {
    product: form.getAttribute("data-product"),
    lot: form.getAttribute("data-lot"),
    gs1: form.getAttribute("data-gs1"),
    gs1Lot: form.getAttribute("data-gs1-lot")
  };
  var searchPage = form.getAttribute("data-search");

  function say(text, searchFor) {
    if (!status) {
      return;
    }
    status.textContent = text + " ";
    if (searchFor) {
      var link = document.createElement("a");
      link.href = root + searchPage + "?q=" + encodeURIComponent(searchFor);
      link.textContent = "Tìm theo tên hoặc từ khóa";
      status.appendChild(link);
    }
  }

  function exists(page, done) {
    if (!window.fetch) {
      done(true); /* cannot check: try it; a miss lands here again and stops */
      return;
    }
    window.fetch(root + page, { method: "HEAD", credentials: "same-origin" }).then(
      function (response) { done(response.ok); },
      function () { done(false); }
    );
  }

  function search(text) {
    window.location.assign(root + searchPage + "?q=" + encodeURIComponent(text));
  }

  /* Goes to the first of `found` that exists; otherwise searches for what was typed in the box
     (`orSearch`), or says it is not there. */
  function go(found, typed, orSearch) {
    var first = found[0];
    say("Đang tìm " + first.label + "…");
    var next = function (index) {
      if (index < found.length) {
        exists(found[index].page, function (ok) {
          if (ok) {
            window.location.replace(root + found[index].page + window.location.hash);
          } else {
            next(index + 1);
          }
        });
      } else if (orSearch) {
        search(typed);
      } else {
        say("Không có " + first.label + " trong danh mục. Kiểm tra lại mã in trên nhãn.", typed);
        if (input && !input.value) {
          input.value = first.id || typed;
        }
      }
    };
    next(0);
  }

  var here = decode(window.location.pathname) || window.location.pathname;
  var found = candidates(here, root, shapes);
  /* Case-sensitive, like the server: "/p/QN-A/" was a miss, "p/qn-a/" may not be. */
  var others = [];
  for (var i = 0; i < found.length; i++) {
    if (here !== root + found[i].page && here !== root + found[i].page + "index.html") {
      others.push(found[i]);
    }
  }
  if (others.length) {
    go(others, found[0].id || found[0].page, false);
  } else if (found.length) {
    /* The exact address of a page that does not exist: say so, do not retry it. */
    say("Không có " + found[0].label + " trong danh mục.", found[0].id || found[0].page);
    if (input && found[0].id) {
      input.value = found[0].id;
    }
  }

  if (input) {
    form.addEventListener("submit", function (event) {
      var typed = input.value.replace(/^\s+|\s+$/g, "");
      var pages = candidates(typed.replace(/^https?:\/\/[^\/]+/i, ""), root, shapes);
      if (!pages.length) {
        pages = candidates(typed, "/", shapes);
      }
      if (pages.length) {
        event.preventDefault();
        go(pages, typed, true);
      } /* otherwise the form searches by name (its own action), as it does without script */
    });
  }
})();

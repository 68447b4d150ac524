/* 404 page: leads a hand-typed product address to the product page.
   "/P/QN-Ruou-Mo", "/p/qn ruou mo", "/qn_ruou_mo" -> "p/qn-ruou-mo/" when that page exists
   (checked with a same-origin HEAD request); otherwise shows the box for the product id.
   Plain ES5: runs on old phones; the page explains everything without it. */
(function () {
  "use strict";

  var ID_MAX = 32;
  var ID_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

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

  /* GTIN-8/12/13/14 -> the GS1 Digital Link page "01/<14 digits>/". */
  function gs1Path(digits) {
    return /^(?:\d{8}|\d{12,14})$/.test(digits) ? "01/" + ("00000000000000" + digits).slice(-14) + "/" : "";
  }

  function decode(text) {
    try {
      return decodeURIComponent(text);
    } catch (e) {
      return null; /* a broken %-escape: not something typed from a label */
    }
  }

  /* The requested path (location.pathname) -> the site-relative page it probably meant, or "". */
  function candidate(pathname, root) {
    var path = decode(String(pathname || ""));
    if (path === null) {
      return "";
    }
    root = root || "/";
    if (path.toLowerCase().indexOf(root.toLowerCase()) === 0) {
      path = path.slice(root.length);
    }
    path = path.replace(/(^|\/)index\.html?$/i, "").replace(/^[\s\/]+|[\s\/]+$/g, "");
    if (/\.(?:html?|pdf|png|svg|jpe?g|webp|gif|json|csv|xml|txt|js|css|ico|zip)$/i.test(path)) {
      return ""; /* a missing file, not a product typed by hand (and not this page itself) */
    }
    var gs1 = /^(?:01\s*\/\s*)?(\d+)$/.exec(path);
    if (gs1) {
      return gs1Path(gs1[1]);
    }
    var rest = path.replace(/^p\s*\/\s*/i, "");
    if (rest.indexOf("/") >= 0) {
      return ""; /* another section of the site: no guess */
    }
    var id = productId(rest);
    return id ? "p/" + id + "/" : "";
  }

  var api = { productId: productId, gs1Path: gs1Path, candidate: candidate };
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

  function say(text, searchFor) {
    if (!status) {
      return;
    }
    status.textContent = text + " ";
    if (searchFor) {
      var link = document.createElement("a");
      link.href = root + "tim-kiem/?q=" + encodeURIComponent(searchFor);
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
    window.location.assign(root + "tim-kiem/?q=" + encodeURIComponent(text));
  }

  /* Goes to `page` if it exists; otherwise searches for what was typed in the box (`orSearch`),
     or says the product is not there. */
  function describe(page) {
    return page.indexOf("01/") === 0 ? "mã vạch " + page.slice(3, -1) : "mã " + page.slice(2, -1);
  }

  function go(page, typed, orSearch) {
    var label = describe(page);
    say("Đang tìm sản phẩm " + label + "…");
    exists(page, function (ok) {
      if (ok) {
        window.location.replace(root + page + window.location.hash);
      } else if (orSearch) {
        search(typed);
      } else {
        say("Không có sản phẩm " + label + " trong danh mục. Kiểm tra lại mã in cạnh mã QR.", typed);
        if (input && !input.value) {
          input.value = page.indexOf("p/") === 0 ? page.slice(2, -1) : typed;
        }
      }
    });
  }

  var here = decode(window.location.pathname) || window.location.pathname;
  var guess = candidate(here, root);
  /* Case-sensitive, like the server: "/p/QN-A/" was a miss, "p/qn-a/" may not be. */
  if (guess && here !== root + guess && here !== root + guess + "index.html") {
    go(guess, guess.slice(guess.indexOf("/") + 1, -1), false);
  } else if (guess) {
    /* The exact address of a page that does not exist: say so, do not retry it. */
    say("Không có sản phẩm " + describe(guess) + " trong danh mục.", guess.slice(2, -1));
    if (input && guess.indexOf("p/") === 0) {
      input.value = guess.slice(2, -1);
    }
  }

  if (form && input) {
    form.addEventListener("submit", function (event) {
      var typed = input.value.replace(/^\s+|\s+$/g, "");
      var page = candidate(typed.replace(/^https?:\/\/[^\/]+/i, ""), root) || candidate(typed, "/");
      if (page) {
        event.preventDefault();
        go(page, typed, true);
      } /* otherwise the form searches by name (its own action), as it does without script */
    });
  }
})();

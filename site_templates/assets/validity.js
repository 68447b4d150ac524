// Re-checks, with the reader's own date, what a page said on the day it was built: the
// certificate's validity (#status) and a lot's use-by date (#use-by), so that a page that was not
// rebuilt never claims a lapsed certificate is valid or an expired lot is in date. Without
// JavaScript the build-time text stays.
// The certificate's rule is the build's (generator/model.py Certificate.status_on): when the
// decision's date is known only to the month or year, the page embeds the first and last day its
// validity could end (and the last day a revocation could take effect); valid only before the
// first, expired only after the last, and in between it says plainly that it is not known.
// A lot is in date until its use-by day itself (generator/model.py Lot.status_on).
"use strict";
(function () {
  // Today in Vietnam (UTC+7), as YYYY-MM-DD.
  var today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  function vi(iso) { return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4); }
  function nextDay(iso) {
    return new Date(Date.parse(iso + "T00:00:00Z") + 864e5).toISOString().slice(0, 10);
  }
  function flip(box, state, text, note) {
    box.className = "status status-" + state;
    box.setAttribute("data-status", state);
    box.querySelector("p").textContent = text;
    box.querySelector("small").textContent = note;
  }
  function onYourDate(state) {
    return "Theo ngày hôm nay (" + vi(today) + ") trên máy của bạn; trang được dựng trước " +
      (state === "expired" ? "ngày hết hạn." : "đó.");
  }

  function certificate(box) {
    var status = box.getAttribute("data-status");
    if (status !== "valid" && status !== "unknown_date") { return; }
    var until = box.getAttribute("data-valid-until");
    var latest = box.getAttribute("data-valid-until-latest") || until;
    var revokedBy = box.getAttribute("data-revoked-by");
    var state = status, text;
    if (revokedBy && today >= revokedBy) {
      state = "revoked";
      text = "✖ Chứng nhận OCOP đã bị thu hồi.";
    } else if (today > latest) {
      state = "expired";
      text = latest === until
        ? "✖ Chứng nhận OCOP đã hết hiệu lực từ " + vi(nextDay(latest)) + "."
        : "✖ Chứng nhận OCOP đã hết hiệu lực, chậm nhất từ " + vi(nextDay(latest)) + ".";
    } else if (today > until && status === "valid") {
      state = "unknown_date";
      text = "? " + box.getAttribute("data-unknown-text");
    }
    if (state === status) { return; }
    var note = onYourDate(state);
    if (state === "unknown_date") { note += " " + box.getAttribute("data-how-to-check"); }
    flip(box, state, text, note);
  }

  function useBy(box) {
    var until = box.getAttribute("data-use-by");
    if (box.getAttribute("data-status") !== "in_date" || !until || today <= until) { return; }
    flip(box, "expired", box.getAttribute("data-expired-text"), onYourDate("expired"));
  }

  var box = document.getElementById("status");
  if (box) { certificate(box); }
  var lot = document.getElementById("use-by");
  if (lot) { useBy(lot); }
})();

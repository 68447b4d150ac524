// Re-checks the certificate's validity with the reader's own date, so a page that was not
// rebuilt never claims a lapsed certificate is valid. Without JavaScript the build-time text stays.
"use strict";
(function () {
  var box = document.getElementById("status");
  if (!box || box.getAttribute("data-status") !== "valid") { return; }
  var until = box.getAttribute("data-valid-until");
  // Today in Vietnam (UTC+7), as YYYY-MM-DD.
  var today = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10);
  if (today <= until) { return; }
  var next = new Date(Date.parse(until + "T00:00:00Z") + 864e5).toISOString().slice(0, 10);
  function vi(iso) { return iso.slice(8, 10) + "/" + iso.slice(5, 7) + "/" + iso.slice(0, 4); }
  box.className = "status status-expired";
  box.setAttribute("data-status", "expired");
  document.getElementById("status-text").textContent =
    "✖ Chứng nhận OCOP đã hết hiệu lực từ " + vi(next) + ".";
  box.querySelector("small").textContent =
    "Theo ngày hôm nay (" + vi(today) + ") trên máy của bạn; trang được dựng trước ngày hết hạn.";
})();

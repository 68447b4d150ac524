// Material wraps each table in a box that scrolls sideways on a phone. A scroll box with no
// focusable element in it cannot be scrolled from the keyboard (WCAG 2.1.1): each box is made
// focusable and named, as the site's own tables are.
document$.subscribe(function () {
  document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box, i) {
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", "Bảng " + (i + 1) + " (cuộn ngang để xem hết)");
  });
});

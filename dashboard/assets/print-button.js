// A button marked data-print prints the page (the briefing's print view). A handler
// bound here rather than written inline, so the Content-Security-Policy needs no inline script.
document.addEventListener("click", function (event) {
  if (event.target.closest && event.target.closest("[data-print]")) {
    window.print();
  }
});

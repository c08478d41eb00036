// Buttons marked data-print open the print dialog (the Content-Security-Policy forbids onclick).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// Coproduce's own behaviour on every page, kept out of the templates so the
// Content-Security-Policy can refuse every inline script and on*= attribute.
// Every page works without it: it only adds conveniences.
(function () {
  "use strict";

  // "Print" buttons are hidden until this script can make them work.
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", printButtons);
})();

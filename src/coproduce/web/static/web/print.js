// Print buttons (`data-print`) need JavaScript, so they start hidden; this shows them and prints
// on a press. base.html loads it on every page: templates hold no inline script or on*= attribute
// (the Content-Security-Policy refuses them).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});

// Print buttons need JavaScript, so they start hidden; this shows them and prints on a press.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});

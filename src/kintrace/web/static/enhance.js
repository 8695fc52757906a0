// Progressive enhancement only: every page works without this file.
// After a form comes back with problems, move focus to the summary so screen-reader users hear
// it first and keyboard users can follow its links straight to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});

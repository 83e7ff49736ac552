// Focus the error summary of a refused form. Its autofocus attribute does this without script,
// but on a page reached with a #fragment (the reply form's #respond) browsers skip autofocus
// and, once the page has loaded, move focus to the fragment's target: focus after that.
const summary = document.querySelector(".error-summary[autofocus]");
if (summary && window.location.hash) {
  window.addEventListener("load", () => setTimeout(() => summary.focus({ preventScroll: true }), 0));
}

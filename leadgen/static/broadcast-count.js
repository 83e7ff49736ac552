/* The broadcast form's live count: as the audience fields change, ask the console how many
   leads would get it (same origin, the signed-in session) and say so in the status line.
   Without scripts the "Count who will get it" button does the same with a round trip. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-count-url]");
  if (!form) return;
  var line = document.getElementById("audience");
  var names = ["source", "tag", "since", "until"];
  var latest = 0;
  function update() {
    var query = new URLSearchParams();
    names.forEach(function (name) {
      var input = form.elements[name];
      if (input && input.value.trim()) query.set(name, input.value.trim());
    });
    var asked = ++latest;
    fetch(form.dataset.countUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (answer) { return answer.json(); })
      .then(function (body) {
        if (asked !== latest) return; // an older answer arriving late
        if (body.errors) {
          line.textContent = Object.keys(body.errors).map(function (key) { return [].concat(body.errors[key]).join(" "); }).join(" ");
        } else {
          var n = body.recipients;
          line.textContent = n === 0 ? "Nobody in this audience may receive marketing mail."
            : n + (n === 1 ? " lead" : " leads") + " will get it now.";
        }
      })
      .catch(function () { /* the count button still works */ });
  }
  names.forEach(function (name) {
    var input = form.elements[name];
    if (input) { input.addEventListener("change", update); input.addEventListener("input", update); }
  });
  update();
})();

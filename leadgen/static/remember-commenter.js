// "Save my name, email and website in this browser": kept in localStorage, and only when ticked.
(function () {
  "use strict";
  var KEY = "leadgen.commenter";
  var FIELDS = ["name", "email", "website"];
  var form = document.getElementById("comment-form");
  var box = document.getElementById("remember");
  if (!form || !box) { return; }
  var storage;
  try { storage = window.localStorage; } catch (error) { return; }

  var saved = null;
  try { saved = JSON.parse(storage.getItem(KEY) || "null"); } catch (error) { saved = null; }
  if (saved) {
    box.checked = true;
    FIELDS.forEach(function (name) {
      var input = form.elements[name];
      // Never overwrite what the page already holds (a form re-shown with messages).
      if (input && !input.value && typeof saved[name] === "string") { input.value = saved[name]; }
    });
  }

  form.addEventListener("submit", function (event) {
    if (box.checked) {
      var details = {};
      FIELDS.forEach(function (name) { details[name] = form.elements[name] ? form.elements[name].value : ""; });
      // "Yes, use <suggested address>" was pressed: remember the address taken, not the typo.
      if (event.submitter && event.submitter.name === "email_suggested") { details.email = event.submitter.value; }
      storage.setItem(KEY, JSON.stringify(details));
    } else {
      storage.removeItem(KEY);
    }
  });
})();

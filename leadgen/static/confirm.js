/* The confirmation page: press its one button for the person. The link in our mail only
   opens the page (mail scanners fetch links, and a GET changes nothing); the POST confirms.
   Without scripts the person presses the button themselves. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-confirm-form]");
  if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
})();

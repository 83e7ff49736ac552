/* Webinars: show each time also in the viewer's own timezone, when it differs from the clinic's. */
(function () {
  "use strict";
  var viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var format = new Intl.DateTimeFormat(undefined, {
    weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll("time[data-local-time]").forEach(function (time) {
    if (!viewerZone || viewerZone === time.getAttribute("data-clinic-zone")) return;
    var moment = new Date(time.getAttribute("datetime"));
    if (isNaN(moment.getTime())) return;
    var target = time.parentNode.querySelector(".local-time");
    if (!target) return;
    target.textContent = "Your time: " + format.format(moment);
    target.hidden = false;
  });
})();

// Every page: a <select data-autosubmit> submits its form when changed (no inline handlers: the
// Content-Security-Policy allows scripts from this site's files only).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (el) {
    el.addEventListener("change", function () { if (el.form) el.form.submit(); });
  });
})();


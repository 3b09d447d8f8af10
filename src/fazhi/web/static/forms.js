// Every page: a <select data-autosubmit> submits its form when changed (no inline handlers: the
// Content-Security-Policy allows scripts from this site's files only).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (el) {
    el.addEventListener("change", function () { if (el.form) el.form.submit(); });
  });
})();

// ---- H1 notices (issue 14 item 1): a unit's unread 报送通知 at the top of every page until it is
// opened (GET /api/messages/notice; asked only when the header shows unread messages).
(function () {
  "use strict";
  var who = document.getElementById("current-user");
  var main = document.querySelector("main");
  if (!who || who.getAttribute("data-role") !== "unit" || !document.getElementById("unread-count") || !main ||
      location.pathname.indexOf("/notices/") === 0) return;
  fetch("/api/messages/notice", {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.notice) return;
      var n = data.notice, box = document.createElement("section");
      box.className = "card notice-banner";
      box.id = "notice-banner";
      var h = document.createElement("h2");
      h.textContent = "报送通知：" + n.title;
      box.appendChild(h);
      (n.paragraphs || []).slice(0, 2).forEach(function (t) {
        var p = document.createElement("p");
        p.textContent = t;
        box.appendChild(p);
      });
      var a = document.createElement("a");
      a.href = "/notices/" + n.year;
      a.className = "button primary";
      a.id = "notice-banner-open";
      a.textContent = "查看通知全文、期限和附件";
      box.appendChild(a);
      main.insertBefore(box, main.firstChild);
    })
    .catch(function () { /* the badge still shows the unread message */ });
})();
// ---- end H1 notices

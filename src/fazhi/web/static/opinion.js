// The opinion editor (/submissions/{id}/opinion): drag items to reorder them (the up/down buttons
// work without this script), confirm before regenerating. Plain JS, no inline handlers (CSP).
(function () {
  "use strict";
  var list = document.getElementById("opinion-items");
  var form = document.getElementById("order-form");
  document.querySelectorAll("[data-confirm]").forEach(function (btn) {
    btn.addEventListener("click", function (ev) {
      if (!window.confirm(btn.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
  if (!list || !form) return;
  var dragged = null;

  function order() {
    return Array.prototype.map.call(list.querySelectorAll("li[data-item-id]"), function (li) {
      return li.getAttribute("data-item-id");
    });
  }

  list.addEventListener("dragstart", function (ev) {
    var li = ev.target.closest && ev.target.closest("li[data-item-id]");
    if (!li || ev.target.closest("textarea")) return;
    dragged = li;
    li.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", li.getAttribute("data-item-id"));
  });
  list.addEventListener("dragover", function (ev) {
    if (!dragged) return;
    ev.preventDefault();
    var over = ev.target.closest && ev.target.closest("li[data-item-id]");
    if (!over || over === dragged) return;
    var box = over.getBoundingClientRect();
    var after = ev.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextSibling : over);
  });
  list.addEventListener("drop", function (ev) { if (dragged) ev.preventDefault(); });
  list.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    document.getElementById("order-value").value = order().join(",");
    form.submit();
  });
})();

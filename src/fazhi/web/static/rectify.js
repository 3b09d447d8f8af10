// 整改 panel (fazhi/web/templates/panel_rectify.j2): jump to what this version has where an issue's
// words were. The words are marked with the CSS Custom Highlight API (the text's DOM is left as it is,
// so review comments' offsets stay right); without it, the segments holding them flash.
(function () {
  "use strict";
  var text = document.getElementById("report-text");
  var panel = document.getElementById("rectify");
  if (!text || !panel) return;

  function segAt(offset, atEnd) {
    var found = null;
    text.querySelectorAll(".seg[data-start]").forEach(function (s) {
      var a = parseInt(s.dataset.start, 10), b = parseInt(s.dataset.end, 10);
      if (!found && (atEnd ? (a < offset && offset <= b) : (a <= offset && offset < b))) found = s;
    });
    return found;
  }

  // (text node, UTF-16 offset) at code point `offset` of the report text (Python counts code points)
  function point(offset, atEnd) {
    var seg = segAt(offset, atEnd);
    if (!seg) return null;
    var left = offset - parseInt(seg.dataset.start, 10);
    var walker = document.createTreeWalker(seg, NodeFilter.SHOW_TEXT);
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      var cps = Array.from(n.data);
      if (left < cps.length || (atEnd && left === cps.length)) return [n, cps.slice(0, left).join("").length];
      left -= cps.length;
    }
    return null;
  }

  function mark(start, end) {
    var a = point(start, false), b = end > start ? point(end, true) : a;
    if (!a || !b) return null;
    var r = document.createRange();
    r.setStart(a[0], a[1]); r.setEnd(b[0], b[1]);
    return r;
  }

  panel.addEventListener("click", function (ev) {
    var link = ev.target.closest("a.rectify-jump");
    if (!link) return;
    ev.preventDefault();
    var start = parseInt(link.dataset.start, 10), end = parseInt(link.dataset.end, 10);
    var r = mark(start, end);
    if (!r) return;
    var el = r.startContainer.parentElement;
    el.scrollIntoView({ behavior: "smooth", block: "center" });
    if (window.CSS && CSS.highlights && window.Highlight) {
      if (end > start) { CSS.highlights.set("rectify", new Highlight(r)); }
      else {  // the words were deleted: mark the two characters around the place
        var around = mark(Math.max(0, start - 1), start + 1);
        if (around) CSS.highlights.set("rectify", new Highlight(around));
      }
      panel.dataset.marked = start + "-" + end;
    } else {
      void el.offsetWidth; el.classList.add("flash");
    }
  });
})();

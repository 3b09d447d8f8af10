// Report page: jump to and flash a span; select words to add a review comment.
(function () {
  "use strict";
  var text = document.getElementById("report-text");
  if (!text) return;

  function segsOf(ref) { return text.querySelectorAll('[data-refs~="' + ref + '"]'); }

  function flash(ref) {
    var segs = segsOf(ref);
    if (!segs.length) return false;
    segs[0].scrollIntoView({ behavior: "smooth", block: "center" });
    text.querySelectorAll(".seg.flash").forEach(function (s) { s.classList.remove("flash"); });
    segs.forEach(function (s) { void s.offsetWidth; s.classList.add("flash"); });
    setTimeout(function () { segs.forEach(function (s) { s.classList.remove("flash"); }); }, 2500);
    return true;
  }

  document.addEventListener("click", function (ev) {
    var jump = ev.target.closest("a.jump[data-ref]");
    var item = ev.target.closest("li.finding[data-ref]");
    var ref = jump ? jump.dataset.ref : (item && !ev.target.closest("a") ? item.dataset.ref : null);
    if (!ref) return;
    if (flash(ref)) { ev.preventDefault(); history.replaceState(null, "", "#hl-" + ref); }
    document.querySelectorAll("li.finding.active").forEach(function (li) { li.classList.remove("active"); });
    if (item) item.classList.add("active");
  });

  // clicking a highlighted word shows its finding in the side list
  text.addEventListener("click", function (ev) {
    var seg = ev.target.closest(".seg[data-refs]");
    if (!seg || !window.getSelection().isCollapsed) return;
    var f = (seg.dataset.refs || "").split(" ").filter(function (r) { return r.charAt(0) === "f"; })[0];
    if (!f) return;
    var li = document.getElementById("finding-" + f.slice(1));
    if (li) {
      document.querySelectorAll("li.finding.active").forEach(function (x) { x.classList.remove("active"); });
      li.classList.add("active"); li.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
  });

  if (location.hash.indexOf("#hl-") === 0) flash(location.hash.slice(4));

  // ---- review comments (reviewers, on a submission that can be returned)
  var box = document.getElementById("comment-box");
  var jsonField = document.getElementById("comments-json");
  if (!box || !jsonField) return;
  var pending = [];
  var list = document.getElementById("pending-comments");
  var fullText = null;

  function cpLen(s) { return Array.from(s).length; }  // Python counts code points

  function offsetOf(node, offset) {
    var el = node.nodeType === 3 ? node.parentElement : node;
    var seg = el && el.closest(".seg[data-start]");
    if (!seg || !text.contains(seg)) return null;
    if (node.nodeType === 3) return parseInt(seg.dataset.start, 10) + cpLen(node.data.slice(0, offset));
    return parseInt(offset > 0 ? seg.dataset.end : seg.dataset.start, 10);
  }

  function render() {
    jsonField.value = JSON.stringify(pending);
    list.innerHTML = "";
    pending.forEach(function (c, i) {
      var li = document.createElement("li");
      li.dataset.start = c.start; li.dataset.end = c.end;
      li.textContent = "“" + c.quote + "”：" + c.body + " ";
      var del = document.createElement("button");
      del.type = "button"; del.textContent = "删除"; del.className = "small";
      del.addEventListener("click", function () { pending.splice(i, 1); render(); });
      li.appendChild(del);
      list.appendChild(li);
    });
  }

  function quoteOf(start, end) {
    if (fullText === null) {
      fullText = Array.from(text.textContent);
    }
    var q = fullText.slice(start, end).join("");
    return q.length > 40 ? q.slice(0, 40) + "…" : q;
  }

  text.addEventListener("mouseup", function (ev) {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return;
    var r = sel.getRangeAt(0);
    var a = offsetOf(r.startContainer, r.startOffset), b = offsetOf(r.endContainer, r.endOffset);
    if (a === null || b === null || b <= a) return;
    document.getElementById("comment-start").value = a;
    document.getElementById("comment-end").value = b;
    document.getElementById("comment-quote").textContent = quoteOf(a, b);
    box.hidden = false;
    box.style.left = Math.min(ev.pageX, window.innerWidth - 340) + "px";
    box.style.top = (ev.pageY + 12) + "px";
    document.getElementById("comment-body").focus();
  });

  document.getElementById("comment-add").addEventListener("click", function () {
    var a = parseInt(document.getElementById("comment-start").value, 10);
    var b = parseInt(document.getElementById("comment-end").value, 10);
    var body = document.getElementById("comment-body").value.trim();
    if (isNaN(a) || isNaN(b) || b <= a || !body) return;
    pending.push({ start: a, end: b, body: body, quote: quoteOf(a, b) });
    document.getElementById("comment-body").value = "";
    box.hidden = true;
    render();
  });
  document.getElementById("comment-cancel").addEventListener("click", function () { box.hidden = true; });
})();

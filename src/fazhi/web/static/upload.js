// Upload page: drag and drop or choose many files; each goes to /api/upload with its own progress bar.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  var input = document.getElementById("file-input");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("upload-list");
  var csrf = document.body.dataset.csrf;
  var queue = [], busy = false;

  function field(name) { var el = form.querySelector('[name="' + name + '"]'); return el ? el.value.trim() : ""; }

  function row(file) {
    var li = document.createElement("li");
    li.className = "uploading";
    li.dataset.filename = file.name;
    var name = document.createElement("span"); name.className = "name"; name.textContent = file.name;
    var bar = document.createElement("progress"); bar.max = 100; bar.value = 0;
    var state = document.createElement("span"); state.className = "state"; state.textContent = "等待上传";
    li.append(name, bar, state);
    list.appendChild(li);
    return { li: li, bar: bar, state: state };
  }

  function next() {
    if (busy || !queue.length) return;
    busy = true;
    var job = queue.shift();
    var data = new FormData();
    data.append("files", job.file, job.file.name);
    if (field("unit_id")) data.append("unit_id", field("unit_id"));
    if (field("year")) data.append("year", field("year"));
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/upload");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) job.ui.bar.value = Math.round(e.loaded * 90 / e.total);
      job.ui.state.textContent = "上传中";
    };
    xhr.upload.onload = function () { job.ui.state.textContent = "分析中…"; };
    xhr.onload = function () {
      job.ui.bar.value = 100;
      var res = null;
      try { res = JSON.parse(xhr.responseText); } catch (e) { res = null; }
      var r = Array.isArray(res) ? res[0] : null;
      if (xhr.status === 200 && r && !r.error) {
        job.ui.li.className = "done";
        job.ui.li.dataset.reportId = r.report_id;
        job.ui.state.textContent = "";
        var a = document.createElement("a");
        a.href = r.url; a.className = "result-link";
        a.textContent = (r.unit_name || "") + " " + (r.year || "") + " 年度 · 第 " + r.version + " 版" +
          (r.duplicate ? "（与已有报告相同）" : "") + " · 查看报告";
        job.ui.state.appendChild(a);
      } else {
        job.ui.li.className = "failed";
        job.ui.state.textContent = (r && r.error) || (res && res.detail) || ("上传失败（" + xhr.status + "）");
        job.ui.state.className = "err";
      }
      busy = false; next();
    };
    xhr.onerror = function () {
      job.ui.li.className = "failed"; job.ui.state.textContent = "网络错误，上传失败"; busy = false; next();
    };
    xhr.send(data);
  }

  function add(files) {
    Array.prototype.forEach.call(files, function (f) { queue.push({ file: f, ui: row(f) }); });
    next();
  }

  input.addEventListener("change", function () { add(input.files); input.value = ""; });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  ["dragenter", "dragover"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { if (e.dataTransfer && e.dataTransfer.files) add(e.dataTransfer.files); });
})();

// Upload page: drag and drop or choose many files; each goes to /api/upload?wait=false with its own
// progress bar, then the page polls /api/jobs/{id} (排队中 → 分析中 → 完成 / 失败) while the server
// analyses it in a worker process.
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
    xhr.open("POST", "/api/upload?wait=false");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) job.ui.bar.value = Math.round(e.loaded * 50 / e.total);
      job.ui.state.textContent = "上传中";
    };
    xhr.upload.onload = function () { job.ui.state.textContent = "已上传，等待分析"; };
    xhr.onload = function () {
      var res = null;
      try { res = JSON.parse(xhr.responseText); } catch (e) { res = null; }
      var r = Array.isArray(res) ? res[0] : null;
      busy = false; next();
      if ((xhr.status === 202 || xhr.status === 200) && r && r.job_id) { poll(job, r.url); return; }
      fail(job, (r && r.error) || (res && res.detail) || ("上传失败（" + xhr.status + "）"));
    };
    xhr.onerror = function () { fail(job, "网络错误，上传失败"); busy = false; next(); };
    xhr.send(data);
  }

  function fail(job, message) {
    job.ui.bar.value = 100;
    job.ui.li.className = "failed";
    job.ui.state.textContent = message;
    job.ui.state.className = "err";
  }

  function done(job, r) {
    if (r.needs_unit) { ask(job, r); return; }
    job.ui.bar.value = 100;
    job.ui.li.className = "done";
    job.ui.li.dataset.reportId = r.report_id;
    job.ui.state.textContent = "";
    var a = document.createElement("a");
    a.href = r.url; a.className = "result-link";
    a.textContent = (r.unit_name || "") + " " + (r.year || "") + " 年度 · 第 " + r.version + " 版" +
      (r.duplicate ? "（与已有报告相同）" : "") + " · 查看报告";
    job.ui.state.appendChild(a);
  }

  // ---- H6 organisation: the issuer is no known unit → the reviewer picks a candidate, another unit, or a new unit
  function ask(job, r) {
    job.ui.bar.value = 100;
    job.ui.li.className = "needs-unit";
    job.ui.li.dataset.reportId = r.report_id;
    job.ui.state.textContent = "";
    var box = document.createElement("span"); box.className = "unit-ask";
    var label = document.createElement("span");
    label.textContent = "未找到单位「" + (r.issuer || "（未识别）") + "」：归入 ";
    var pick = document.createElement("select"); pick.className = "unit-pick";
    (r.candidates || []).forEach(function (c) {
      var o = document.createElement("option"); o.value = c.id; o.textContent = c.name + "（" + c.reason + "）";
      pick.appendChild(o);
    });
    var all = document.getElementById("upload-unit");
    if (all) {
      var group = document.createElement("optgroup"); group.label = "其他单位";
      Array.prototype.forEach.call(all.options, function (o) {
        if (!o.value) return;
        var x = document.createElement("option"); x.value = o.value; x.textContent = o.textContent; group.appendChild(x);
      });
      if (group.children.length) pick.appendChild(group);
    }
    var go = document.createElement("button"); go.type = "button"; go.className = "small primary unit-file";
    go.textContent = "归入";
    var or = document.createElement("span"); or.textContent = " 或 ";
    var make = document.createElement("button"); make.type = "button"; make.className = "small unit-new";
    make.textContent = "新建单位「" + (r.issuer || "") + "」";
    if (!r.issuer) make.disabled = true;
    if (!pick.options.length) { pick.disabled = true; go.disabled = true; }
    box.append(label, pick, go, or, make);
    job.ui.state.appendChild(box);
    function send(body) {
      go.disabled = make.disabled = true;
      var x = new XMLHttpRequest();
      x.open("POST", "/api/filings/" + r.report_id);
      x.setRequestHeader("X-CSRF-Token", csrf);
      x.setRequestHeader("Content-Type", "application/json");
      x.onload = function () {
        var res = null;
        try { res = JSON.parse(x.responseText); } catch (e) { res = null; }
        if (x.status === 200 && res) { job.ui.state.className = "state"; done(job, Object.assign({url: "/reports/" + res.report_id}, res)); return; }
        go.disabled = make.disabled = false;
        var err = document.createElement("span"); err.className = "err";
        err.textContent = " " + ((res && res.detail) || ("归档失败（" + x.status + "）"));
        box.appendChild(err);
      };
      x.send(JSON.stringify(body));
    }
    go.addEventListener("click", function () { send({unit_id: parseInt(pick.value, 10)}); });
    make.addEventListener("click", function () { send({new_unit: true}); });
  }

  function poll(job, url) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.onload = function () {
      var r = null;
      try { r = JSON.parse(x.responseText); } catch (e) { r = null; }
      if (x.status !== 200 || !r) { fail(job, "无法查询分析进度（" + x.status + "）"); return; }
      if (r.state === "done") { done(job, r); return; }
      if (r.state === "failed") { fail(job, r.error || "分析失败"); return; }
      job.ui.bar.value = r.state === "running" ? 75 : 55;
      job.ui.state.textContent = r.state_label + (r.ahead ? "（前面还有 " + r.ahead + " 份）" : "") +
        (r.seconds ? "，已用 " + Math.round(r.seconds) + " 秒" : "");
      setTimeout(function () { poll(job, url); }, 800);
    };
    x.onerror = function () { setTimeout(function () { poll(job, url); }, 2000); };
    x.send();
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

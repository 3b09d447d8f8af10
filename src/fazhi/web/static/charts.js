// Corpus page: fetch the dashboard charts (ECharts options computed by the server, cached there)
// and draw them; the list itself never waits for them.
(function () {
  "use strict";
  var holder = document.getElementById("charts");
  var state = document.getElementById("charts-state");
  if (!holder || !window.echarts) return;
  function draw(list) {
    holder.textContent = "";
    (list || []).forEach(function (c) {
      var box = document.createElement("div");
      box.className = "chart";
      box.id = "chart-" + c.id;
      box.style.height = (c.height || 360) + "px";
      holder.appendChild(box);
      var chart = echarts.init(box);
      chart.setOption(c.option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  var xhr = new XMLHttpRequest();
  xhr.open("GET", holder.dataset.url);
  xhr.onload = function () {
    var res = null;
    try { res = JSON.parse(xhr.responseText); } catch (e) { res = null; }
    if (xhr.status !== 200 || !res) { if (state) state.textContent = "图表暂时无法加载。"; return; }
    draw(res.charts);
    if (state) state.textContent = res.stale ? "图表正在按最新报告更新，稍后刷新页面可见。" : "";
  };
  xhr.onerror = function () { if (state) state.textContent = "图表暂时无法加载。"; };
  xhr.send();
})();

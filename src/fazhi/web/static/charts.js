// Corpus page: draw the dashboard charts (ECharts options given by the server as JSON).
(function () {
  "use strict";
  var holder = document.getElementById("charts");
  var data = document.getElementById("charts-data");
  if (!holder || !data || !window.echarts) return;
  JSON.parse(data.textContent).forEach(function (c) {
    var box = document.createElement("div");
    box.className = "chart";
    box.id = "chart-" + c.id;
    box.style.height = (c.height || 360) + "px";
    holder.appendChild(box);
    var chart = echarts.init(box);
    chart.setOption(c.option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

// 单位画像: score and 沿用比例 per year as a small line chart (ECharts, bundled). Issue 14 item 6.
(function () {
  'use strict';
  var el = document.getElementById('profile-chart');
  if (!el || !window.echarts) return;
  var data = JSON.parse(el.getAttribute('data-chart'));
  var chart = window.echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: {trigger: 'axis'},
    legend: {data: ['得分', '沿用比例（%）'], top: 4, left: 'center'},
    grid: {left: 44, right: 44, top: 56, bottom: 28},
    xAxis: {type: 'category', data: data.years},
    yAxis: [{type: 'value', min: 0, max: 100, name: '分'}, {type: 'value', min: 0, max: 100, name: '%'}],
    series: [
      {name: '得分', type: 'line', data: data.scores, connectNulls: true, label: {show: true}},
      {name: '沿用比例（%）', type: 'line', yAxisIndex: 1, data: data.recycled, connectNulls: true,
       lineStyle: {type: 'dashed'}}
    ]
  });
  window.addEventListener('resize', function () { chart.resize(); });
  el.setAttribute('data-ready', '1');
}());

/* Draws the ECharts charts of a page from data the server embedded with json_script.
   Each chart element: <div class="chart" data-chart="trend|completion" data-source="id-of-json"></div>.
   window.zjtxCharts keeps the instances (the browser tests read it to check the charts drew). */
(function () {
  "use strict";
  window.zjtxCharts = window.zjtxCharts || [];
  var palette = ["#b42318", "#1570ef", "#12b76a", "#f79009", "#7a5af8", "#475467"];

  function trend(data) {
    var months = {};
    Object.keys(data).forEach(function (name) { data[name].forEach(function (p) { months[p[0]] = true; }); });
    var axis = Object.keys(months).sort();
    return {
      color: palette,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 40, bottom: 28 },
      xAxis: { type: "category", data: axis },
      yAxis: { type: "value", minInterval: 1 },
      series: Object.keys(data).map(function (name) {
        var byMonth = {};
        data[name].forEach(function (p) { byMonth[p[0]] = p[1]; });
        return { name: name, type: "line", smooth: false, data: axis.map(function (m) { return m in byMonth ? byMonth[m] : null; }) };
      })
    };
  }

  function completion(rows) {
    return {
      color: palette.slice(1),
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 150, right: 24, top: 10, bottom: 24 },
      xAxis: { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", data: rows.map(function (r) { return r.percent; }),
                 markLine: { silent: true, symbol: "none", data: [{ xAxis: 100 }] } }]
    };
  }

  function draw(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var source = document.getElementById(el.dataset.source);
      if (!source || !window.echarts) { return; }
      var data = JSON.parse(source.textContent);
      var option = el.dataset.chart === "trend" ? trend(data) : completion(data);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option);
      el.dataset.drawn = "1";
      window.zjtxCharts.push(chart);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();

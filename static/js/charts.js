/* Draws the ECharts charts of a page from data the server embedded with json_script.
   Each chart element: <div class="chart" data-chart="trend|completion" data-source="id-of-json"></div>;
   a trend chart may name its targets (data-targets: {metric: {target, deadline "YYYY-MM"}}), drawn as a
   dashed target line per metric and a marker at the deadline's month.  Words come from #chart-words.
   window.zjtxCharts keeps the instances (the browser tests read it to check the charts drew). */
(function () {
  "use strict";
  window.zjtxCharts = window.zjtxCharts || [];
  var palette = ["#b42318", "#1570ef", "#12b76a", "#f79009", "#7a5af8", "#475467"];
  var statusColour = { met: "#12b76a", on: "#1570ef", off: "#b42318", none: "#98a2b3" };

  function json(id) {
    var el = id && document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function words() { return json("chart-words") || { target: "target", deadline: "deadline" }; }

  function narrow(el) { return el.clientWidth < 600; }

  function thousands(v) { return v == null ? "—" : Number(v).toLocaleString("en-US"); }

  function monthsBetween(first, last) {
    var out = [], y = +first.slice(0, 4), m = +first.slice(5, 7);
    while (out.length < 120) {
      var key = y + "-" + (m < 10 ? "0" : "") + m;
      out.push(key);
      if (key >= last) { break; }
      m += 1; if (m > 12) { m = 1; y += 1; }
    }
    return out;
  }

  function trend(data, targets, el) {
    var w = words(), months = {};
    Object.keys(data).forEach(function (name) { data[name].forEach(function (p) { months[p[0]] = true; }); });
    var seen = Object.keys(months).sort();
    var deadlines = Object.keys(targets || {}).map(function (k) { return targets[k].deadline; }).sort();
    var axis = seen;
    if (seen.length && deadlines.length) {
      // Reach the nearest deadline still ahead (at most three years), so its marker and the gap show.
      var ahead = deadlines.filter(function (d) { return d > seen[seen.length - 1]; })[0];
      var end = ahead && ahead <= String(+seen[seen.length - 1].slice(0, 4) + 3) + seen[seen.length - 1].slice(4) ? ahead : seen[seen.length - 1];
      axis = monthsBetween(seen[0], end);
    }
    var small = narrow(el);
    var names = Object.keys(data);
    var series = names.map(function (name, i) {
      var byMonth = {};
      data[name].forEach(function (p) { byMonth[p[0]] = p[1]; });
      var s = { name: name, type: "line", smooth: false, connectNulls: true, showSymbol: false,
                data: axis.map(function (m) { return m in byMonth ? byMonth[m] : null; }) };
      var t = targets && targets[name];
      if (t) {
        var marks = [{ yAxis: t.target, name: w.target, lineStyle: { type: "dashed", color: palette[i % palette.length] },
                       label: { formatter: w.target + " " + thousands(t.target), position: "insideEndTop", fontSize: 11 } }];
        if (axis.indexOf(t.deadline) >= 0) {
          marks.push({ xAxis: t.deadline, name: w.deadline, lineStyle: { type: "dotted", color: "#475467" },
                       label: { formatter: w.deadline + " " + t.deadline, position: "insideEndTop", fontSize: 11 } });
        }
        s.markLine = { silent: true, symbol: "none", data: marks };
      }
      return s;
    });
    return {
      color: palette,
      tooltip: { trigger: "axis", valueFormatter: thousands },
      // All metrics stay visible: the legend wraps onto several lines (no paging) and the plot moves down.
      legend: { type: "plain", top: 0, left: 0, right: 0, itemGap: small ? 8 : 14, textStyle: { fontSize: small ? 11 : 12 } },
      grid: { left: 8, right: 16, top: small ? 24 * Math.ceil(names.length / 2) + 8 : 48, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: axis, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: thousands } },
      series: series
    };
  }

  function completion(rows, el) {
    var w = words();
    var longest = rows.reduce(function (m, r) { return Math.max(m, r.percent); }, 0);
    var max = longest <= 100 ? 100 : Math.ceil(longest / 50) * 50;
    return {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      // containLabel: long metric names and the labels at the bars' ends stay inside the chart.
      grid: { left: 8, right: 48, top: 10, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: max, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: narrow(el) ? 96 : 160, overflow: "break" } },
      series: [{
        type: "bar",
        data: rows.map(function (r) {
          return { value: r.percent, status: r.status, itemStyle: { color: statusColour[r.status] || statusColour.none } };
        }),
        label: { show: true, position: "right", formatter: function (p) { return p.value + "%"; } },
        // The 100 % line carries no label of its own: the axis already prints 100.
        markLine: { silent: true, symbol: "none", label: { show: false }, lineStyle: { color: "#475467", type: "dashed" }, data: [{ xAxis: 100 }] }
      }],
      aria: { enabled: true },
      legend: { show: false },
      title: { show: false, text: w.target }
    };
  }

  function draw(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var data = json(el.dataset.source);
      if (!data || !window.echarts) { return; }
      var option = el.dataset.chart === "trend" ? trend(data, json(el.dataset.targets), el) : completion(data, el);
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

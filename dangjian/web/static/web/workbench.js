/* The 工作台's charts: each <div data-chart="ID"> is drawn from the JSON spec in <script id="ID"> (built by
   dangjian/web/charts.py) with the vendored ECharts. A click on a bar, a point or a slice opens the records
   it counts (the data point's url), as the figure in the table beside the chart does. */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';
  var COLORS = ["#c8161d", "#e6a23c", "#5b8ff9", "#67c23a", "#909399"];

  function axisBar(spec, horizontal) {
    // long organisation names are cut on the axis; the tooltip and the table give them whole
    var category = { type: "category", data: spec.categories,
                     axisLabel: { interval: 0, width: horizontal ? 150 : 90, overflow: "truncate" } };
    var value = { type: "value", minInterval: 1, name: spec.unit };
    if (horizontal) category.inverse = true;  // the first row on top, as in the table
    return {
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      grid: { left: 10, right: 30, top: 30, bottom: 10, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0 } : undefined,
      series: spec.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, stack: spec.stack ? "total" : undefined,
                 barMaxWidth: 36, label: { show: !spec.stack, position: horizontal ? "right" : "top" } };
      })
    };
  }

  function escapeHtml(text) {  // the tooltip is HTML; names and titles are the users' data
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function tooltipTitle(spec) {
    // an axis shows rule ids or short names; the tooltip gives the rule's title or the whole name
    return function (params) {
      var first = Array.isArray(params) ? params[0] : params;
      var title = spec.titles ? spec.titles[first.dataIndex] : "";
      var head = title && title.indexOf(first.name) < 0 ? first.name + " " + title : (title || first.name);
      var lines = (Array.isArray(params) ? params : [params]).map(function (p) {
        var value = p.value === null || p.value === undefined ? "—" : p.value;
        return p.marker + escapeHtml(p.seriesName) + "：" + escapeHtml(value);
      });
      return escapeHtml(head) + "<br>" + lines.join("<br>");
    };
  }

  function duesOption(spec) {
    var amounts = spec.series.slice(0, 2), rate = spec.series[2];
    return {
      legend: { top: 0 },
      grid: { left: 70, right: 50, top: 40, bottom: 30 },
      xAxis: { type: "category", data: spec.categories },
      yAxis: [{ type: "value", name: "元" }, { type: "value", name: "%", min: 0, max: 100 }],
      series: amounts.map(function (s) {
        return { name: s.name, type: "bar", data: s.data, barMaxWidth: 24 };
      }).concat([{ name: rate.name, type: "line", yAxisIndex: 1, data: rate.data, connectNulls: false,
                   symbolSize: 8 }])
    };
  }

  function pieOption(spec) {
    var s = spec.series[0];
    return {
      legend: { bottom: 0 },
      series: [{ name: s.name, type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: s.data,
                 label: { formatter: "{b}\n{c}" + spec.unit } }]
    };
  }

  function optionOf(spec) {
    var option;
    if (spec.kind === "pie") option = pieOption(spec);
    else if (spec.kind === "dues") option = duesOption(spec);
    else option = axisBar(spec, spec.kind === "hbar");
    option.color = COLORS;
    option.textStyle = { fontFamily: FONT };
    option.animation = false;  // figures, not a show; and the browser tests click at once
    option.tooltip = spec.kind === "pie" ? { trigger: "item" } : { trigger: "axis", formatter: tooltipTitle(spec) };
    return option;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || typeof echarts === "undefined") return;
    var spec = JSON.parse(source.textContent);
    if (spec.kind === "hbar") {  // a bar's height per row, so 30 rules stay readable
      element.style.height = Math.max(220, 22 * spec.categories.length + 70) + "px";
    }
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(optionOf(spec));
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-drawn", "1");
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();

// The leaders' dashboard charts (ECharts), drawn from the JSON the page carries (#dashboard-data) and redrawn in
// place when htmx swaps in fresh data. The tables under each chart hold the same numbers as text.
// ECharts (1 MB) runs after the first paint: the page shows its figures at once, the charts a moment later.
(function () {
  "use strict";
  var charts = {};
  var drawn = "";
  var INK = "#1f2328", MUTED = "#4b5563", LINE = "#d0d7de";
  var COLORS = { acceptance: "#0b4f9c", completion: "#116329", satisfaction: "#8250df" };

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    if (!charts[id]) charts[id] = window.echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }

  function common() {
    return {
      aria: { enabled: true },
      animationDuration: 300,
      textStyle: { color: INK, fontFamily: "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif" },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    };
  }

  // One unit (township) a bar; the best on top; clicking a bar opens its cases.
  function ranked(id, rate, data) {
    var c = chart(id);
    if (!c) return;
    var bars = data.bars.slice().reverse();  // ECharts draws a category axis from the bottom up
    var el = document.getElementById(id);
    el.style.height = Math.max(220, 26 * bars.length + 60) + "px";
    c.resize();
    c.setOption(Object.assign(common(), {
      grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", color: MUTED },
        splitLine: { lineStyle: { color: LINE } } },
      yAxis: { type: "category", data: bars.map(function (b) { return b.name; }), axisLabel: { color: INK } },
      series: [{
        name: data.name, type: "bar", barMaxWidth: 18, itemStyle: { color: COLORS[rate] },
        label: { show: true, position: "right", formatter: "{c}%", color: INK },
        data: bars.map(function (b) { return { value: b.value, href: b.href }; }),
      }],
    }), true);
    c.off("click");
    c.on("click", function (params) {
      if (params.data && params.data.href) window.location.href = params.data.href;
    });
  }

  function trend(data) {
    var c = chart("chart-trend");
    if (!c) return;
    var codes = Object.keys(data.names);
    c.setOption(Object.assign(common(), {
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: INK } },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.points.map(function (p) { return p.label; }), axisLabel: { color: MUTED } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%", color: MUTED },
        splitLine: { lineStyle: { color: LINE } } },
      series: codes.map(function (code) {
        return { name: data.names[code], type: "line", connectNulls: false, symbolSize: 7,
          itemStyle: { color: COLORS[code] }, lineStyle: { color: COLORS[code] },
          data: data.points.map(function (p) { return p.rates[code]; }) };
      }),
    }), true);
  }

  function hotspots(rows) {
    var c = chart("chart-hotspots");
    if (!c) return;
    var shown = rows.slice().reverse();
    document.getElementById("chart-hotspots").style.height = Math.max(200, 28 * shown.length + 60) + "px";
    c.resize();
    c.setOption(Object.assign(common(), {
      grid: { left: 8, right: 40, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", minInterval: 1, axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: LINE } } },
      yAxis: { type: "category", data: shown.map(function (r) { return r.name; }), axisLabel: { color: INK } },
      visualMap: { show: false, min: 0, max: Math.max.apply(null, [1].concat(shown.map(function (r) { return r.cases; }))),
        dimension: 0, inRange: { color: ["#f2b8a0", "#a40e26"] } },
      series: [{ name: "类案涉及工单", type: "bar", barMaxWidth: 20, label: { show: true, position: "right", color: INK },
        data: shown.map(function (r) { return r.cases; }) }],
    }), true);
  }

  // The townships on the district's own boundary shapes (no internet tiles), darker for more cases in classes;
  // over them the grids those cases lie in, in blue, darker for more. Both maps are laid out in the townships' box
  // (`boundingCoords`), so each grid falls on its township. Clicking a township or a grid opens its cases.
  // Drawn as SVG: the townships' names are text on the page, as they are in the table.
  var MAP = "district";
  var district = null;
  var gridMap = "", gridShapes = "", gridMaps = 0;
  function most(areas) {
    return Math.max.apply(null, [1].concat(areas.map(function (a) { return a.value; })));
  }
  function districtMap(areas, grids) {
    var el = document.getElementById("chart-map");
    var source = document.getElementById("district-shapes");
    if (!el || !source || !window.echarts) return;
    if (!district) {
      district = JSON.parse(source.textContent);
      window.echarts.registerMap(MAP, district);
    }
    grids = grids || { areas: [], shapes: { type: "FeatureCollection", features: [] } };
    var shapes = JSON.stringify(grids.shapes);
    if (grids.areas.length && shapes !== gridShapes) {
      // The grids with cases change with the figures: a new set is a map of its own.
      gridMaps += 1;
      gridMap = MAP + "-grids-" + gridMaps;
      window.echarts.registerMap(gridMap, grids.shapes);
      gridShapes = shapes;
    }
    if (!charts["chart-map"]) charts["chart-map"] = window.echarts.init(el, null, { renderer: "svg" });
    var box = district.bounds || null;
    var series = [{ name: "类案涉及工单", type: "map", map: MAP, roam: false, layoutCenter: ["50%", "50%"],
      layoutSize: "95%", boundingCoords: box, selectedMode: false,
      label: { show: true, color: INK, fontSize: 12 }, itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
      emphasis: { label: { color: INK } },
      data: areas }];
    var scales = [{ seriesIndex: 0, min: 0, max: most(areas), left: 0, bottom: 0, itemHeight: 80,
      calculable: false, text: ["多", "少"], textStyle: { color: MUTED }, inRange: { color: ["#fbe3d9", "#a40e26"] } }];
    if (grids.areas.length) {
      series.push({ name: "网格类案工单", type: "map", map: gridMap, roam: false, layoutCenter: ["50%", "50%"],
        layoutSize: "95%", boundingCoords: box, selectedMode: false, z: 3,
        label: { show: false }, itemStyle: { borderColor: INK, borderWidth: 0.5 },
        emphasis: { label: { show: false } },
        data: grids.areas });
      scales.push({ seriesIndex: 1, show: false, min: 0, max: most(grids.areas),
        inRange: { color: ["#9ecae1", "#08306b"] } });
    }
    var c = charts["chart-map"];
    c.setOption(Object.assign(common(), {
      tooltip: { trigger: "item", formatter: function (p) {
        var area = p.data || { value: 0, classes: 0 };
        return (area.label || p.name) + "：" + area.classes + " 个类案，涉及 " + area.value + " 件工单";
      } },
      visualMap: scales,
      series: series,
    }), true);
    c.off("click");
    c.on("click", function (params) {
      if (params.data && params.data.href) window.location.href = params.data.href;
    });
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || source.textContent === drawn) return;
    drawn = source.textContent;
    var data = JSON.parse(drawn);
    Object.keys(data.rates).forEach(function (rate) { ranked("chart-" + rate, rate, data.rates[rate]); });
    trend(data.trend);
    hotspots(data.hotspots);
    if (data.map) districtMap(data.map, data.grids);
  }

  function loadCharts() {
    var script = document.createElement("script");
    script.src = "/static/vendor/echarts.min.js";
    script.onload = draw;
    document.head.appendChild(script);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // After the next frame is painted, not before it.
    window.requestAnimationFrame(function () { window.setTimeout(loadCharts, 0); });
  });
  document.addEventListener("htmx:oobAfterSwap", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
})();

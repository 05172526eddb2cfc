// The KPI dashboard's charts, drawn with Apache ECharts (vendored, machikoba/js/vendor).
// The Content-Security-Policy allows no inline script, so the pages carry their data in
// attributes and json_script elements, and this file draws from them:
//
//   <div data-kpi-bullet data-progress="38.5" data-expected="50" data-light="amber">
//       a bullet chart: the value in percent of its target (a bar), the target (the
//       grey band up to 100) and the progress expected by now (a black marker)
//   <div data-kpi-trend="trend-data">  with  {{ trend|json_script:"trend-data" }}
//       a line of the values by fiscal year ({years, values, target, unit}); a year
//       without a value is a gap, the target a dashed line
//
// Every chart is decorative for assistive technology (aria-hidden in the markup): the
// same numbers are written in the page as text.
(function () {
  "use strict";

  const COLORS = {
    green: "#259d63",
    amber: "#d7a100",
    red: "#ec0000",
    none: "#767676",
  };
  const BAND = "#e6e6e6";
  const MARK = "#1a1a1a";
  const BLUE = "#0017c1";
  const charts = [];

  function number(value) {
    const parsed = parseFloat(value);
    return Number.isFinite(parsed) ? parsed : null;
  }

  function bullet(element) {
    const progress = number(element.dataset.progress);
    if (progress === null) return;
    const expected = number(element.dataset.expected);
    const top = Math.min(150, Math.max(100, progress, expected || 0));
    const chart = echarts.init(element, null, { renderer: "canvas" });
    const marker = expected === null ? [] : [{ xAxis: expected }];
    chart.setOption({
      animation: false,
      aria: { enabled: false },
      grid: { left: 2, right: 2, top: 6, bottom: 6 },
      xAxis: { type: "value", min: 0, max: top, show: false },
      yAxis: { type: "category", data: [""], show: false },
      series: [
        {
          type: "bar",
          data: [100],
          barWidth: "90%",
          barGap: "-100%",
          silent: true,
          itemStyle: { color: BAND },
        },
        {
          type: "bar",
          data: [progress],
          barWidth: "45%",
          silent: true,
          itemStyle: { color: COLORS[element.dataset.light] || COLORS.none },
          markLine: {
            silent: true,
            symbol: "none",
            label: { show: false },
            lineStyle: { color: MARK, width: 3, type: "solid" },
            data: marker,
          },
        },
      ],
    });
    charts.push(chart);
  }

  function trend(element) {
    const source = document.getElementById(element.dataset.kpiTrend);
    if (!source) return;
    let data;
    try {
      data = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    const chart = echarts.init(element, null, { renderer: "canvas" });
    const target = typeof data.target === "number" ? [{ yAxis: data.target }] : [];
    chart.setOption({
      animation: false,
      aria: { enabled: false },
      grid: { left: 48, right: 16, top: 24, bottom: 28 },
      xAxis: { type: "category", data: data.years, axisLabel: { color: "#333" } },
      yAxis: {
        type: "value",
        name: data.unit || "",
        nameTextStyle: { color: "#333" },
        axisLabel: { color: "#333" },
      },
      series: [
        {
          type: "line",
          data: data.values,
          connectNulls: false,
          symbolSize: 8,
          silent: true,
          lineStyle: { color: BLUE, width: 3 },
          itemStyle: { color: BLUE },
          label: { show: true, position: "top", color: "#1a1a1a" },
          markLine: {
            silent: true,
            symbol: "none",
            label: { show: false },
            lineStyle: { color: MARK, type: "dashed", width: 2 },
            data: target,
          },
        },
      ],
    });
    charts.push(chart);
  }

  function init() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-kpi-bullet]").forEach(bullet);
    document.querySelectorAll("[data-kpi-trend]").forEach(trend);
    let pending = null;
    window.addEventListener("resize", () => {
      if (pending) window.clearTimeout(pending);
      pending = window.setTimeout(() => charts.forEach((chart) => chart.resize()), 150);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

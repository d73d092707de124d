// Draws the home-page bar charts from the JSON the page embeds (the same numbers as its tables).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("fz-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var series = JSON.parse(source.textContent);
  document.querySelectorAll(".fz-chart").forEach(function (element) {
    var data = series[Number(element.dataset.chart) - 1];
    if (!data) { return; }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["登记人员", "重点人群"] },
      grid: { left: 40, right: 10, bottom: 70, top: 36 },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 40, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: "登记人员", type: "bar", data: data.total },
        { name: "重点人群", type: "bar", data: data.key }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});

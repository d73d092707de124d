// Draws the fund-trace graph (ECharts, local copy) from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("fz-trace-data");
  var element = document.getElementById("trace-graph");
  if (!source || !element || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var perHop = {};
  var nodes = data.nodes.map(function (n) {
    var column = n.hop < 0 ? 8 : n.hop;
    perHop[column] = (perHop[column] || 0) + 1;
    return {
      name: n.name, x: column * 160, y: perHop[column] * 70, value: n.held,
      symbolSize: n.held > 0 ? 26 : 16,
      itemStyle: { color: n.hop < 0 ? "#6c757d" : (n.held > 0 ? "#dc3545" : "#0d6efd") },
      label: { show: true, formatter: n.label + (n.held > 0 ? "\n留存 " + n.held : ""), fontSize: 10 },
      tooltip: { formatter: n.label + "<br>层级 " + n.hop + "<br>流入 " + n.received + " 元<br>留存 " + n.held + " 元" }
    };
  });
  var chart = echarts.init(element, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: {},
    series: [{
      type: "graph", layout: "none", roam: true, edgeSymbol: ["none", "arrow"],
      data: nodes,
      links: data.links.map(function (l) {
        return { source: l.source, target: l.target, value: l.value, label: { show: true, formatter: l.value + " 元", fontSize: 9 } };
      }),
      lineStyle: { opacity: 0.7, width: 1.5, curveness: 0.1 }
    }]
  });
  element.dataset.rendered = String(nodes.length);
  window.addEventListener("resize", function () { chart.resize(); });
});

// Draws one chart per grouping variable on the estimates page from the JSON the page carries
// (through js/charts.js, so each can be downloaded as PNG and SVG).
(function () {
  var data = document.getElementById("estimates-chart-data");
  var target = document.getElementById("estimates-chart");
  if (!data || !target || !window.KexueCharts) { return; }
  JSON.parse(data.textContent).forEach(function (figure, k) {
    var box = document.createElement("div");
    target.appendChild(box);
    window.KexueCharts.draw(box, figure, "estimate-" + (k + 1));
  });
})();

// Draws the choice-distribution chart of an item page from the JSON the page carries
// (through js/charts.js, so it can be downloaded as PNG and SVG).
(function () {
  var data = document.getElementById("choice-chart-data");
  var target = document.getElementById("choice-chart");
  if (!data || !target || !window.KexueCharts) { return; }
  window.KexueCharts.draw(target, JSON.parse(data.textContent), "item-choices");
})();

// Draws the choice-distribution chart of an item page from the JSON the page carries.
(function () {
  var data = document.getElementById("choice-chart-data");
  var target = document.getElementById("choice-chart");
  if (!data || !target || !window.Plotly) { return; }
  var figure = JSON.parse(data.textContent);
  window.Plotly.newPlot(target, figure.data, figure.layout, {responsive: true, displayModeBar: false});
})();

// Draws one chart per grouping variable on the estimates page from the JSON the page carries.
(function () {
  var data = document.getElementById("estimates-chart-data");
  var target = document.getElementById("estimates-chart");
  if (!data || !target || !window.Plotly) { return; }
  JSON.parse(data.textContent).forEach(function (figure) {
    var box = document.createElement("div");
    target.appendChild(box);
    window.Plotly.newPlot(box, figure.data, figure.layout, {responsive: true, displayModeBar: false});
  });
})();

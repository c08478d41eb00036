// Draws every chart of the page from the JSON beside it (templates/_charts.html), with a
// mode bar offering the chart as PNG and as SVG. The figures carry the palette and the CJK
// font stack (quizapp/shared/charts.py), so downloads look like the page. Other chart
// scripts draw through window.KexueCharts.draw to get the same mode bar.
(function () {
  if (!window.Plotly) { return; }
  var Plotly = window.Plotly;
  function config(target, filename) {
    var labelled = target.closest("[data-png-label]");
    var png = labelled && labelled.getAttribute("data-png-label");
    var svg = labelled && labelled.getAttribute("data-svg-label");
    var result = {
      responsive: true,
      displaylogo: false,
      displayModeBar: true,
      modeBarButtonsToRemove: ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d",
                               "zoomOut2d", "autoScale2d", "resetScale2d"],
      toImageButtonOptions: {format: "png", filename: filename, scale: 2},
      modeBarButtonsToAdd: [{
        name: "download-svg",
        title: svg || "Download as SVG",
        icon: Plotly.Icons.disk,
        click: function (gd) {
          Plotly.downloadImage(gd, {format: "svg", filename: filename});
        }
      }]
    };
    if (png) {  // the mode bar's own button, in the page's language
      result.locale = "page";
      result.locales = {page: {dictionary: {"Download plot as a PNG": png, "Download plot": png}}};
    }
    return result;
  }

  function draw(target, figure, filename) {
    return Plotly.newPlot(target, figure.data, figure.layout,
                          config(target, filename || target.id || "chart"));
  }

  window.KexueCharts = {draw: draw};
  document.querySelectorAll("script.chart-data").forEach(function (data) {
    var target = document.getElementById(data.getAttribute("data-for"));
    if (target) { draw(target, JSON.parse(data.textContent), target.getAttribute("data-filename")); }
  });
})();

/* Draws every <canvas data-iku-chart="..."> of the page with the vendored Chart.js (no CDN).
   The attribute holds {type, labels, datasets: [{label, data}], yTitle}; the numbers are also
   printed in the table beside each chart, so nothing depends on this script to be read. */
(function () {
  "use strict";
  var COLOURS = ["#2c6fbb", "#e08a1e", "#3a9d5d", "#c0392b", "#7d5ba6", "#7f8c8d"];
  function draw(canvas) {
    var spec = JSON.parse(canvas.getAttribute("data-iku-chart"));
    var datasets = spec.datasets.map(function (d, i) {
      var colour = COLOURS[i % COLOURS.length];
      return {label: d.label, data: d.data, backgroundColor: colour, borderColor: colour,
              fill: false, tension: 0.2};
    });
    var chart = new window.Chart(canvas, {
      type: spec.type || "bar",
      data: {labels: spec.labels, datasets: datasets},
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {legend: {display: datasets.length > 1}},
        scales: {y: {beginAtZero: true, title: {display: !!spec.yTitle, text: spec.yTitle}}}
      }
    });
    canvas.setAttribute("data-drawn", chart && chart.data ? "1" : "0");
  }
  function drawAll() {
    if (!window.Chart) { return; }
    var canvases = document.querySelectorAll("canvas[data-iku-chart]");
    for (var i = 0; i < canvases.length; i++) { draw(canvases[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
}());

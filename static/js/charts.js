// Draws the HR report charts with Chart.js (static/vendor/chart.umd.min.js, loaded before this file).
// Each <figure class="chart" data-chart-source="ID"> is drawn from the JSON in <script id="ID">, written by
// json_script from Section.chart_data(): the same rows and columns as the table in the figure. The table stays
// the reference: when Chart.js or the JSON is missing, nothing is hidden and the page reads as before.
(function () {
  "use strict";

  // Okabe–Ito: told apart with every common colour-vision deficiency. Yellow last: it is faint on white.
  var OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  // Distributions diverge from the middle: dark vermillion … light grey … dark blue. In greyscale the ends are
  // dark and the middle light, so the order still reads; white borders keep neighbouring segments apart.
  var DIVERGING = { low: "#D55E00", lowMid: "#E69F00", middle: "#D9D9D9", highMid: "#56B4E9", high: "#0072B2" };
  var INK = "#1b1f24";
  var GRID = "#c9d1d9";
  var LINE_DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var POINT_STYLES = ["circle", "rect", "triangle", "rectRot", "crossRot", "star"];

  function hexMix(from, to, share) {
    var mixed = [1, 3, 5].map(function (start) {
      var a = parseInt(from.substr(start, 2), 16);
      var b = parseInt(to.substr(start, 2), 16);
      return Math.round(a + (b - a) * share).toString(16).padStart(2, "0");
    });
    return "#" + mixed.join("");
  }

  // One side of the diverging scale, from its dark end to its light end, in `count` steps.
  function divergingSide(dark, light, count) {
    var colours = [];
    for (var i = 0; i < count; i++) colours.push(count === 1 ? dark : hexMix(dark, light, i / (count - 1)));
    return colours;
  }

  function divergingColours(count) {
    var half = Math.floor(count / 2);
    var low = divergingSide(DIVERGING.low, DIVERGING.lowMid, half);
    var high = divergingSide(DIVERGING.high, DIVERGING.highMid, half).reverse();
    return low.concat(count % 2 ? [DIVERGING.middle] : [], high);
  }

  function categoricalColour(index) {
    return OKABE_ITO[index % OKABE_ITO.length];
  }

  function hasNull(values) {
    return values.some(function (value) { return value === null || value === undefined; });
  }

  function annotated(label, suppressed) {
    return label + " (" + suppressed + ")";
  }

  // Long labels wrap onto several lines instead of squeezing the plot on a phone.
  function wrapped(label, width) {
    var lines = [];
    String(label).split(" ").forEach(function (word) {
      var last = lines.length - 1;
      if (last >= 0 && (lines[last] + " " + word).length <= width) lines[last] += " " + word;
      else lines.push(word);
    });
    return lines;
  }

  function withUnit(unit) {
    return function (value) { return value + unit; };
  }

  function wrappedTicks(width) {
    return function (value) { return wrapped(this.getLabelForValue(value), width); };
  }

  function prefersReducedMotion() {
    return Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  // Horizontal bars need room for every row, whatever height the stylesheet gives the container.
  function roomForRows(container, rowCount) {
    container.style.minHeight = (rowCount * 2.5 + 5) + "rem";
  }

  function barConfig(data, labelWidth) {
    var labels = data.rows.map(function (row) {
      return hasNull(row.values.slice(0, 1)) ? annotated(row.label, data.suppressed) : row.label;
    });
    return {
      type: "bar",
      data: {
        labels: labels,
        datasets: [{
          label: data.title,
          data: data.rows.map(function (row) { return row.values[0]; }),
          backgroundColor: OKABE_ITO[0],
        }],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { beginAtZero: true, max: data.unit === "%" ? 100 : undefined, ticks: { callback: withUnit(data.unit) } },
          y: { ticks: { callback: wrappedTicks(labelWidth) } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (item) { return data.rows[item.dataIndex].texts[0]; } } },
        },
      },
    };
  }

  // Each row is drawn as shares of its own total, so every bar is 100% wide; the tooltip shows the table's text.
  function rowShares(values) {
    var total = values.reduce(function (sum, value) { return sum + value; }, 0);
    return values.map(function (value) { return total > 0 ? (value / total) * 100 : 0; });
  }

  function stackedConfig(data, labelWidth, categorical) {
    var colours = categorical ? data.columns.map(function (_, index) { return categoricalColour(index); })
      : divergingColours(data.columns.length);
    var shares = data.rows.map(function (row) { return hasNull(row.values) ? null : rowShares(row.values); });
    return {
      type: "bar",
      data: {
        labels: data.rows.map(function (row, index) {
          return shares[index] ? row.label : annotated(row.label, data.suppressed);
        }),
        datasets: data.columns.map(function (column, columnIndex) {
          return {
            label: column,
            data: shares.map(function (rowShare) { return rowShare ? rowShare[columnIndex] : null; }),
            backgroundColor: colours[columnIndex],
            borderColor: "#ffffff",
            borderWidth: 1,
          };
        }),
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { stacked: true, min: 0, max: 100, ticks: { callback: withUnit("%") } },
          y: { stacked: true, ticks: { callback: wrappedTicks(labelWidth) } },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + data.rows[item.dataIndex].texts[item.datasetIndex];
              },
            },
          },
        },
      },
    };
  }

  function lineLabel(row, suppressed) {
    if (!hasNull(row.values)) return row.label;
    var allHidden = row.values.every(function (value) { return value === null || value === undefined; });
    return annotated(row.label, allHidden ? suppressed : "gaps: " + suppressed);
  }

  function lineConfig(data, labelWidth) {
    return {
      type: "line",
      data: {
        labels: data.columns,
        datasets: data.rows.map(function (row, index) {
          var colour = categoricalColour(index);
          return {
            label: lineLabel(row, data.suppressed),
            data: row.values,
            borderColor: colour,
            backgroundColor: colour,
            borderDash: LINE_DASHES[index % LINE_DASHES.length],
            pointStyle: POINT_STYLES[index % POINT_STYLES.length],
            pointRadius: 4,
            spanGaps: false,
          };
        }),
      },
      options: {
        scales: {
          x: { ticks: { callback: wrappedTicks(labelWidth) } },
          y: { beginAtZero: true, max: data.unit === "%" ? 100 : undefined, ticks: { callback: withUnit(data.unit) } },
        },
        plugins: {
          legend: { labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (item) {
                return data.rows[item.datasetIndex].label + ": " + data.rows[item.datasetIndex].texts[item.dataIndex];
              },
            },
          },
        },
      },
    };
  }

  var BUILDERS = { bar: barConfig, stacked: stackedConfig, line: lineConfig };
  var HORIZONTAL = { bar: true, stacked: true };

  function chartData(figure) {
    var source = document.getElementById(figure.getAttribute("data-chart-source"));
    if (!source) return null;
    try {
      var data = JSON.parse(source.textContent);
      return data && Array.isArray(data.rows) && Array.isArray(data.columns) ? data : null;
    } catch (error) {
      return null;
    }
  }

  function chartDraw(figure) {
    var data = chartData(figure);
    var canvas = figure.querySelector("canvas");
    if (!data || !canvas || !BUILDERS[data.kind]) return;
    var container = canvas.parentNode;
    var labelWidth = container.clientWidth < 480 ? 16 : 28;
    if (HORIZONTAL[data.kind]) roomForRows(container, data.rows.length);
    var config = BUILDERS[data.kind](data, labelWidth, figure.getAttribute("data-chart-palette") === "categorical");
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.animation = prefersReducedMotion() ? false : { duration: 400 };
    config.options.plugins.legend = Object.assign({ position: "bottom" }, config.options.plugins.legend);
    new window.Chart(canvas, config);
    figure.classList.add("chart--drawn");
  }

  function chartsDraw() {
    if (typeof window.Chart === "undefined") return;
    window.Chart.defaults.color = INK;
    window.Chart.defaults.borderColor = GRID;
    window.Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("figure.chart[data-chart-source]").forEach(function (figure) {
      // One broken chart must not stop the others; its table is still there.
      try { chartDraw(figure); } catch (error) { if (window.console) window.console.warn("chart not drawn", error); }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", chartsDraw);
  else chartsDraw();
})();

// Insights: draws the charts (chart.js) and the network picture (cytoscape) from the JSON the
// page embeds. Without JavaScript the page still shows every figure in its tables.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function charts() {
    var d = data("chart-data");
    if (!d || typeof Chart === "undefined") return;
    Chart.defaults.animation = false; // calmer for everyone, faster on old phones
    var hours = document.getElementById("chart-hours");
    if (hours) {
      new Chart(hours, {
        type: "bar",
        data: {
          labels: d.months,
          datasets: d.hours.map(function (s) {
            return { label: s.label, data: s.data, backgroundColor: s.color };
          }),
        },
        options: { responsive: true, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
    }
    var members = document.getElementById("chart-members");
    if (members) {
      new Chart(members, {
        type: "bar",
        data: {
          labels: d.months,
          datasets: d.members.map(function (s) {
            return { label: s.label, data: s.data, backgroundColor: s.color };
          }),
        },
        options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      });
    }
    var giveTake = document.getElementById("chart-give-take");
    if (giveTake) {
      new Chart(giveTake, {
        type: "doughnut",
        data: {
          labels: d.give_take.labels,
          datasets: [{ data: d.give_take.data, backgroundColor: d.give_take.colors }],
        },
      });
    }
  }

  function network() {
    var d = data("network-data");
    var box = document.getElementById("network");
    var select = document.getElementById("colour-by");
    var legend = document.getElementById("network-legend");
    if (!d || !box || typeof cytoscape === "undefined") return;
    var elements = d.nodes.map(function (n) {
      var label = (n.label || "") + (n.at_risk ? d.at_risk_suffix : "");
      return { data: Object.assign({}, n, { display: label }) };
    }).concat(d.edges.map(function (e) { return { data: e }; }));
    var cy = cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "background-color": "data(colour)", label: "data(display)", "font-size": 9,
          width: "mapData(ties, 0, 20, 10, 30)", height: "mapData(ties, 0, 20, 10, 30)",
          "border-width": 1, "border-color": "#555" } },
        { selector: "node[kind = 'organisation']", style: { shape: "round-rectangle" } },
        { selector: "node[?at_risk]", style: { shape: "diamond", width: 28, height: 28, "border-width": 4, "border-color": "#000" } },
        { selector: "edge", style: { width: "mapData(weight, 1, 10, 1, 5)", "line-color": "#bbb" } },
      ],
      layout: { name: "cose", animate: false, nodeRepulsion: 8000 },
    });

    function colour(by) {
      var groups = {};
      var order = [];
      cy.nodes().forEach(function (node) {
        var key = node.data(by);
        if (!(key in groups)) { groups[key] = d.palette[order.length % d.palette.length]; order.push(key); }
        node.data("colour", groups[key]);
      });
      legend.innerHTML = "";
      order.forEach(function (key) {
        var li = document.createElement("li");
        var sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = groups[key];
        li.appendChild(sw);
        li.appendChild(document.createTextNode(key));
        legend.appendChild(li);
      });
    }
    colour(select ? select.value : "area");
    if (select) select.addEventListener("change", function () { colour(select.value); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    charts();
    network();
  });
})();

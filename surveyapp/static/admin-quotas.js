// Quota page: refresh the figures from the JSON every few seconds (progressive enhancement:
// without JavaScript the page is complete and a reload shows new figures).
(function () {
  "use strict";
  var live = document.getElementById("quota-live");
  if (!live || !window.fetch) { return; }
  var url = live.getAttribute("data-json");
  var seconds = parseInt(live.getAttribute("data-seconds"), 10) || 10;
  var lang = document.documentElement.lang || "fr";
  var numbers = new Intl.NumberFormat(lang);
  var percents = new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 });
  var pace = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var dates = new Intl.DateTimeFormat(lang, { dateStyle: "medium" });
  var times = new Intl.DateTimeFormat(lang, { timeStyle: "medium" });

  function day(iso) {
    if (!iso) { return live.getAttribute("data-text-none"); }
    var parts = iso.split("-");
    return dates.format(new Date(+parts[0], +parts[1] - 1, +parts[2]));
  }

  function set(scope, field, text) {
    scope.querySelectorAll('[data-field="' + field + '"]').forEach(function (el) {
      el.textContent = text;
    });
  }

  function metText(cell, limit) {
    if (limit === "at_most") {
      return live.getAttribute(cell.met ? "data-text-under" : "data-text-over");
    }
    return live.getAttribute(cell.met ? "data-text-met" : "data-text-unmet");
  }

  function updateCell(cell, limit) {
    document.querySelectorAll('[data-cell="' + cell.cell + '"]').forEach(function (el) {
      set(el, "completes", numbers.format(cell.completes));
      set(el, "target", numbers.format(cell.target));
      set(el, "in_progress", numbers.format(cell.in_progress));
      set(el, "percent", percents.format(cell.percent / 100));
      set(el, "projected", day(cell.projected_fill));
      if (cell.met !== null) {
        set(el, "met", metText(cell, limit));
      }
      el.querySelectorAll('meter[data-field="meter"]').forEach(function (m) {
        m.max = cell.target > 0 ? cell.target : 1;
        m.value = cell.completes;
        m.textContent = percents.format(cell.percent / 100);
      });
    });
  }

  function updateRows(attr, rows) {
    rows.forEach(function (t) {
      var row = document.querySelector("[" + attr + '="' + t.code + '"]');
      if (!row) { return; }
      set(row, "completes", numbers.format(t.completes));
      set(row, "in_progress", numbers.format(t.in_progress));
    });
  }

  function total(name, text) {
    var el = document.querySelector('[data-total="' + name + '"]');
    if (el) { el.textContent = text; }
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        data.hard.concat(data.soft).forEach(function (q) {
          q.cells.forEach(function (cell) { updateCell(cell, q.limit); });
        });
        updateRows("data-country", data.by_country);
        updateRows("data-language", data.by_language);
        total("recent", numbers.format(data.completes_last_7_days));
        total("pace", pace.format(data.pace_per_day));
        total("remaining", numbers.format(data.remaining));
        total("projected", day(data.projected_fill));
        live.textContent = live.getAttribute("data-text-updated") + " " + times.format(new Date());
        live.setAttribute("data-refreshed", String(Date.now()));
      })
      .catch(function () { /* keep the figures shown; try again at the next tick */ });
  }

  window.setInterval(refresh, seconds * 1000);
})();

// Job page: follow the job from its JSON every second and move the progress bar; reload the
// page when the job ends (it then shows the download link or the error in words). Without
// JavaScript the page refreshes itself (meta refresh in a noscript element).
(function () {
  "use strict";
  var live = document.getElementById("job-live");
  if (!live || !window.fetch) { return; }
  var state = live.getAttribute("data-state");
  if (state === "done" || state === "failed") { return; }
  var url = live.getAttribute("data-json");
  var bar = document.getElementById("job-progress");
  var count = live.querySelector('[data-field="count"]');
  var lang = document.documentElement.lang || "fr";
  var numbers = new Intl.NumberFormat(lang);
  var share = new Intl.NumberFormat(lang, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var template = live.getAttribute("data-count-text");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 3000); return; }
        if (job.state !== state) { window.location.reload(); return; }
        if (job.percent !== null) {
          bar.value = job.percent;
          bar.textContent = share.format(job.percent / 100);
        }
        if (count && template && job.total !== null) {
          count.textContent = template
            .replace("{done}", numbers.format(job.done))
            .replace("{total}", numbers.format(job.total))
            .replace("{share}", job.percent === null ? "" : share.format(job.percent / 100));
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());

/* The consent page's proof-of-work (see surveyapp/respondent/challenge.py): find the number n
   with SHA-256(salt + n) = challenge while the respondent reads, then send it with the form.
   Without this script (or without Web Crypto) the form still works after a short wait. */
(function () {
  "use strict";
  var form = document.getElementById("page-form");
  var field = form && form.querySelector('input[name="_challenge"]');
  var out = form && form.querySelector('input[name="_pow"]');
  if (!field || !out || !window.crypto || !window.crypto.subtle || !window.TextEncoder) return;
  var data = JSON.parse(field.getAttribute("data-challenge"));
  var encoder = new TextEncoder();
  var done = false;

  function hex(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) text += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return text;
  }

  async function solve() {
    var max = data.maxNumber || data.maxnumber || 0;
    for (var n = 0; n <= max; n++) {
      var digest = await window.crypto.subtle.digest("SHA-256", encoder.encode(data.salt + n));
      if (hex(digest) === data.challenge) return n;
    }
    return null;
  }

  var solving = solve().then(function (n) {
    if (n !== null) out.value = String(n);
    done = true;
  }, function () { done = true; });

  form.addEventListener("submit", function (event) {
    if (done) return;
    event.preventDefault();
    var submitter = event.submitter;
    solving.then(function () {
      if (submitter && form.requestSubmit) form.requestSubmit(submitter);
      else form.submit();
    });
  });
})();

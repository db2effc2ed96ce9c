/* Progressive enhancement for the questionnaire; every page works without it. */
(function () {
  "use strict";
  var form = document.getElementById("page-form");

  /* An exclusive option ("None", "No thanks") unticks the others, and the others untick it. */
  function exclusive(box) {
    var group = document.getElementsByName(box.name);
    for (var i = 0; i < group.length; i++) {
      var other = group[i];
      if (other === box || !other.checked) continue;
      if (box.hasAttribute("data-exclusive") || other.hasAttribute("data-exclusive")) {
        other.checked = false;
      }
    }
  }

  /* Typing in an "Other, please specify" field ticks its option. */
  function otherTyped(field) {
    var target = document.getElementById(field.getAttribute("data-other-for"));
    if (target && field.value.trim() !== "" && !target.checked) {
      target.checked = true;
      if (target.type === "checkbox") exclusive(target);
    }
  }

  if (form) {
    form.addEventListener("change", function (event) {
      var el = event.target;
      if (el.type === "checkbox" && el.checked) exclusive(el);
    });
    form.addEventListener("input", function (event) {
      if (event.target.hasAttribute("data-other-for")) otherTyped(event.target);
    });
    /* One submission per page view: a double click must not post twice. */
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
    });
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-sent");
    });
  }

  /* After a failed submission, move focus to the error summary so it is read first. */
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();

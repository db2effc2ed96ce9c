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

  /* "Don't know" and a number exclude each other: ticking the box empties the number field,
     typing a number unticks the box (without JavaScript the server says so in words). */
  function dontKnow(el) {
    var box = el.hasAttribute("data-dont-know-for") ? el : null;
    var field = box ? document.getElementById(box.getAttribute("data-dont-know-for")) : el;
    if (box && box.checked && field) field.value = "";
    if (!box) {
      var boxes = form.querySelectorAll('[data-dont-know-for="' + el.id + '"]');
      if (boxes.length && el.value.trim() !== "") boxes[0].checked = false;
    }
  }

  if (form) {
    form.addEventListener("change", function (event) {
      var el = event.target;
      if (el.type === "checkbox" && el.checked) exclusive(el);
      if (el.hasAttribute("data-dont-know-for")) dontKnow(el);
    });
    form.addEventListener("input", function (event) {
      if (event.target.hasAttribute("data-other-for")) otherTyped(event.target);
      if (event.target.hasAttribute("data-has-dont-know")) dontKnow(event.target);
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

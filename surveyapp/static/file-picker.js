// File inputs in the page's language (progressive enhancement, see admin/_macros.html): the
// native input stays in place, transparent, over a button label and the chosen file's name,
// so a click, the keyboard, drag and drop and the browser's required check all still reach it.
(function () {
  "use strict";
  document.querySelectorAll("[data-file-picker]").forEach(function (picker) {
    var input = picker.querySelector("input[type=file]");
    var face = picker.querySelector(".file-picker-face");
    var name = picker.querySelector(".file-picker-name");
    if (!input || !face || !name) { return; }
    var none = name.textContent;
    function show() {
      var names = Array.prototype.map.call(input.files || [], function (file) { return file.name; });
      name.textContent = names.length ? names.join(", ") : none;
    }
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", (described ? described + " " : "") + name.id);
    input.addEventListener("change", show);
    face.hidden = false;
    picker.classList.add("enhanced");
    show();  // a file the browser kept (Back, reload)
  });
}());

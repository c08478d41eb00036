// The question form shows only the fields of the chosen type (choice options and letters, or
// the true/false answer). Without this script every part shows under its own heading.
(function () {
  "use strict";
  var form = document.querySelector("[data-question-form]");
  if (!form) { return; }
  var type = form.querySelector("select[name=type]");
  var parts = form.querySelectorAll(".type-fields");
  var heading = form.querySelector(".type-fields-end");
  function show() {
    for (var i = 0; i < parts.length; i++) {
      var wanted = parts[i].getAttribute("data-types").split(" ").indexOf(type.value) >= 0;
      parts[i].hidden = !wanted;
      var title = parts[i].querySelector("h2");
      if (title) { title.hidden = true; }
    }
    if (heading) { heading.hidden = true; }
  }
  type.addEventListener("change", show);
  show();
}());

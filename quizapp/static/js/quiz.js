// Progressive enhancement for question pages: a live countdown, and one submit per tap.
(function () {
  document.querySelectorAll(".answer-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button.submit");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  });
  var countdown = document.querySelector(".countdown");
  if (!countdown) { return; }
  var left = parseInt(countdown.getAttribute("data-seconds"), 10);
  if (left <= 0) { setTimeout(function () { location.reload(); }, 2500); return; }
  var template = countdown.textContent.replace(String(left), "{s}");
  var timer = setInterval(function () {
    left -= 1;
    if (left <= 0) { clearInterval(timer); location.reload(); return; }
    countdown.textContent = template.replace("{s}", String(left));
  }, 1000);
})();

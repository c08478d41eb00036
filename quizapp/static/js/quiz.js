// Progressive enhancement for question pages: one submit per tap, one tick per double tap,
// the countdown bar with its 时间到 step, and (in a competition) one request per answer: the
// answer POST replies with the feedback and the next question, put in place here. The server
// keeps the clock and the key, and the pages work without this file: it only shows what the
// server said.
(function () {
  "use strict";

  // Going on only after the server's grace for late answers (2 s) is certainly over.
  var GO_ON_AFTER_MS = 3000;
  var AUTO_GO_ON_MS = 4000;
  // A double tap on an option is two clicks, and the second click used to untick the box the
  // first had ticked. A click on the same box this soon after it changed is the same tap;
  // a deliberate tap later still unticks.
  var SAME_TAP_MS = 500;
  var stopTimer = null;

  function guardTaps(root) {
    root.querySelectorAll(".options input[type=checkbox]").forEach(function (box) {
      var changed = 0;
      box.addEventListener("click", function (event) {
        var now = Date.now();
        if (now - changed < SAME_TAP_MS) { event.preventDefault(); return; }
        changed = now;
      });
    });
  }

  // In a competition the step is replaced by the reply; anywhere else the form posts as usual.
  function bindForms(root, step) {
    root.querySelectorAll(".answer-form").forEach(function (form) {
      var sending = false;
      form.addEventListener("submit", function (event) {
        var button = form.querySelector("button.submit");
        if (sending) { event.preventDefault(); return; }
        sending = true;
        if (button) { setTimeout(function () { button.disabled = true; }, 0); }
        if (!step || !window.fetch || !window.FormData) { return; }
        event.preventDefault();
        fetch(form.action, {
          method: "POST", body: new FormData(form), credentials: "same-origin",
          headers: {"Accept": "application/json"}
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        }).then(function (reply) {
          if (reply.redirect) { location.assign(reply.redirect); return; }
          step.innerHTML = reply.html;
          init(step, step);
          var stem = step.querySelector(".stem");
          if (stem) { stem.setAttribute("tabindex", "-1"); stem.focus(); }
          window.scrollTo(0, 0);
        }).catch(function () {
          // Whatever went wrong, the page itself knows where the attempt stands.
          location.reload();
        });
      });
    });
  }

  function startTimer(root) {
    if (stopTimer) { stopTimer(); stopTimer = null; }
    var timer = root.querySelector(".timer[data-seconds]");
    if (!timer) { return; }
    var left = parseInt(timer.getAttribute("data-seconds"), 10);
    var total = parseInt(timer.getAttribute("data-total"), 10) || left || 1;
    var end = Date.now() + left * 1000;
    var bar = timer.querySelector(".timer-bar > span");
    var text = timer.querySelector(".countdown");
    var template = text.getAttribute("data-template");
    var live = timer.querySelector("[data-announce]");
    // Read out at a few moments only: halfway through a long limit, and ten seconds left.
    var moments = [10];
    if (total >= 30) { moments.push(Math.round(total / 2)); }
    var told = {};
    moments.forEach(function (m) { if (m >= left) { told[m] = true; } });

    function show(seconds) {
      text.textContent = template.replace("{s}", String(seconds));
      if (bar) { bar.style.width = (100 * seconds / total).toFixed(1) + "%"; }
      timer.classList.toggle("urgent", seconds <= 10);
      moments.forEach(function (m) {
        if (seconds <= m && !told[m]) {
          told[m] = true;
          live.textContent = template.replace("{s}", String(seconds));
        }
      });
    }

    function timeUp() {
      timer.classList.add("urgent", "over");
      if (bar) { bar.style.width = "0"; }
      text.textContent = text.getAttribute("data-time-up");
      root.querySelectorAll(".answer-form input, .answer-form button").forEach(function (el) {
        el.disabled = true;
      });
      root.querySelectorAll(".answer-form").forEach(function (form) {
        form.classList.add("closed");
      });
      var panel = root.querySelector("[data-test=time-up]");
      if (!panel) { setTimeout(function () { location.reload(); }, GO_ON_AFTER_MS); return; }
      panel.hidden = false;
      var link = panel.querySelector("a");
      var ready = Date.now() + GO_ON_AFTER_MS;
      function goOn() { location.assign(link.href); }
      link.addEventListener("click", function (event) {
        var wait = ready - Date.now();
        if (wait > 0) { event.preventDefault(); setTimeout(goOn, wait); }
      });
      setTimeout(goOn, AUTO_GO_ON_MS);
    }

    if (left <= 0) { timeUp(); return; }
    // Counted from the end time, not by ticks, so a phone that sleeps a tab keeps the time.
    var ticking = setInterval(function () {
      var now = Math.max(Math.ceil((end - Date.now()) / 1000), 0);
      if (now === left) { return; }
      left = now;
      if (left <= 0) { clearInterval(ticking); timeUp(); return; }
      show(left);
    }, 250);
    stopTimer = function () { clearInterval(ticking); };
  }

  function init(root, step) {
    bindForms(root, step);
    guardTaps(root);
    startTimer(root);
  }

  init(document, document.querySelector("[data-quiz-step]"));
})();

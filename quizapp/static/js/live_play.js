// A live game on a phone: wait for the game to change (a long poll on play.state) and swap
// in the new screen the server rendered; answer with fetch; count the seconds down.
// Without this script the page refreshes itself and answers are plain form posts.
(function () {
  var root = document.getElementById("live-main");
  if (!root || !window.fetch) { return; }
  var stateUrl = root.getAttribute("data-state-url");
  var screen = root.querySelector(".live-screen");
  var version = screen ? screen.getAttribute("data-v") : "";
  var shown = root.innerHTML;
  var failures = 0;
  var timer = null;

  function countdown() {
    clearInterval(timer);
    var el = root.querySelector(".countdown");
    if (!el) { return; }
    var left = parseInt(el.getAttribute("data-seconds"), 10);
    var template = el.getAttribute("data-template") || "{s}";
    timer = setInterval(function () {
      left -= 1;
      if (left < 0) { clearInterval(timer); return; }
      el.textContent = template.replace("{s}", String(left));
    }, 1000);
  }

  function show(data) {
    version = String(data.v);
    if (data.html !== undefined && data.html !== shown) {
      shown = data.html;
      root.innerHTML = data.html;
      bind();
      countdown();
    }
  }

  function get(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.cache = "no-store";
    options.headers = { "Accept": "application/json" };
    return fetch(url, options).then(function (response) {
      if (response.status === 404 || response.status === 403) {
        location.reload();  // the seat is gone (removed, or the game ended): the page says why
        throw new Error("reloading");
      }
      return response.json();
    });
  }

  function poll() {
    get(stateUrl + "?v=" + encodeURIComponent(version) + "&wait=25").then(function (data) {
      failures = 0;
      show(data);
      poll();
    }).catch(function (error) {
      if (error && error.message === "reloading") { return; }
      failures += 1;  // a network blip: try again, a little later each time
      setTimeout(poll, Math.min(500 * failures, 5000));
    });
  }

  function bind() {
    var form = root.querySelector("form.answer-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new FormData(form);
      if (event.submitter && event.submitter.name) {
        body.append(event.submitter.name, event.submitter.value);
      }
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      get(form.action, { method: "POST", body: body }).then(show).catch(function (error) {
        if (error && error.message === "reloading") { return; }
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      });
    });
  }

  bind();
  countdown();
  poll();
})();

// A live game on a phone: listen for the game's changes (server-sent events on play.events;
// a long poll on play.state where no event gets through, e.g. a buffering proxy) and swap in
// the new screen the server rendered; answer with fetch; count the seconds down.
// Without this script the page refreshes itself and answers are plain form posts.
(function () {
  var root = document.getElementById("live-main");
  if (!root || !window.fetch) { return; }
  var stateUrl = root.getAttribute("data-state-url");
  var eventsUrl = root.getAttribute("data-events-url");
  var FIRST_EVENT_MS = 5000;  // no event by then: the stream is held up, poll instead
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
    if (data.v !== undefined && version !== "" && Number(data.v) < Number(version)) {
      return;  // an older state overtaken by a newer one (an answer reply after an event)
    }
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

  // The answer was taken: keep the question on screen, mark the choice, say so. The next
  // event (the question closing, or the reveal) brings the server's screen.
  function received(form, tapped, answer) {
    form.querySelectorAll("button, input").forEach(function (el) { el.disabled = true; });
    if (tapped && tapped.name === "choice") { tapped.classList.add("chosen"); }
    var note = document.createElement("p");
    note.className = "live-wait";
    note.setAttribute("data-test", "answered");
    note.textContent = form.getAttribute("data-answered");
    form.parentNode.insertBefore(note, form.nextSibling);
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
      var tapped = event.submitter;
      get(form.action, { method: "POST", body: body }).then(function (data) {
        if (data.answer) { received(form, tapped, data.answer); } else { show(data); }
      }).catch(function (error) {
        if (error && error.message === "reloading") { return; }
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
      });
    });
  }

  function listen() {
    if (!window.EventSource || !eventsUrl) { poll(); return; }
    var source = new EventSource(eventsUrl);
    var heard = false;
    var giveUp = setTimeout(function () { source.close(); poll(); }, FIRST_EVENT_MS);
    source.addEventListener("state", function (event) {
      if (!heard) { heard = true; clearTimeout(giveUp); }
      show(JSON.parse(event.data));
    });
    source.addEventListener("gone", function () { source.close(); location.reload(); });
    source.addEventListener("error", function () {
      // The browser reconnects by itself (with the last event's id) after a network error.
      // When it has given up (the server refused the stream: a removed seat, an error) or the
      // stream never worked, long polling takes over: it reloads the page on 403/404 (which
      // then says why) and backs off on other errors.
      if (source.readyState === EventSource.CLOSED || !heard) {
        clearTimeout(giveUp);
        source.close();
        poll();
      }
    });
  }

  bind();
  countdown();
  listen();
})();

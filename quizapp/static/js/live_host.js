// The projector page: ask for the game's state about once a second, count the seconds down
// and show how many answered; when the game moves on (or players join the lobby), reload.
// Without this script the page refreshes itself every two seconds.
(function () {
  var body = document.body;
  var url = body.getAttribute("data-state-url");
  if (!url || !window.fetch) { return; }
  var version = body.getAttribute("data-v");
  var players = body.getAttribute("data-players");
  function set(name, value) {
    var el = document.querySelector("[data-live=" + name + "]");
    if (el && value !== null && value !== undefined) { el.textContent = String(value); }
  }
  function busy() {  // the teacher is typing in a form: do not pull the page away
    var el = document.activeElement;
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT");
  }
  function tick() {
    fetch(url, { credentials: "same-origin", cache: "no-store",
                 headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) {
          var moved = String(data.v) !== version;
          var joined = String(data.player_count) !== players;
          if ((moved || (joined && data.status === "lobby")) && !busy()) {
            location.reload();
            return;
          }
          set("players", data.player_count);
          if (data.question) {
            set("countdown", data.question.seconds_left);
            set("answered", data.question.answered);
            set("eligible", data.question.eligible);
          }
        }
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 1000);
})();

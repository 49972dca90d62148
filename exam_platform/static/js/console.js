// The invigilator's console: a fresh snapshot of the room arrives over the websocket within a second of a change, and
// the actions form posts to the action chosen.
(function () {
  "use strict";
  function render(snapshot) {
    var body = document.querySelector("#console-table tbody");
    var rows = snapshot.rows.map(function (r) {
      var tr = document.createElement("tr");
      tr.dataset.registration = r.registration_id;
      var cells = [r.candidate_number, r.name, r.state_label, r.answered + "/" + r.total,
        r.seconds_left === null ? "" : Math.floor(r.seconds_left / 60) + ":" + ("0" + r.seconds_left % 60).slice(-2),
        r.last_seen, r.drops, r.focus_losses, r.penalties.join(", ")];
      cells.forEach(function (value, i) {
        var td = document.createElement("td");
        td.textContent = value;
        if (i === 2) td.className = "state-" + r.state;
        tr.appendChild(td);
      });
      var link = document.createElement("td");
      if (r.attempt_id) { var a = document.createElement("a"); a.href = "/attempts/" + r.attempt_id + "/timeline.csv"; a.textContent = "⇩"; link.appendChild(a); }
      tr.appendChild(link);
      return tr;
    });
    body.replaceChildren.apply(body, rows);
    document.getElementById("paused-banner").hidden = !snapshot.paused;
    document.getElementById("room-code").textContent = snapshot.code;
  }
  // The actions form posts to the chosen action's own URL (one view per action). Its button stays disabled until this
  // runs: without it the form would post to whichever URL the page was rendered with, not the one chosen.
  function aimActions() {
    var form = document.getElementById("action-form");
    if (!form) return;
    var choice = document.getElementById("id_action");
    var aim = function () { form.action = choice.selectedOptions[0].dataset.url; };
    choice.addEventListener("change", aim);
    form.addEventListener("submit", aim);
    aim();
    form.querySelector("button[type=submit]").disabled = false;
  }
  document.addEventListener("DOMContentLoaded", aimActions);
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("console");
    if (!box) return;
    var delay = 1000;
    function connect() {
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + box.dataset.ws);
      ws.onopen = function () { delay = 1000; box.dataset.live = "1"; };
      ws.onmessage = function (e) { var msg = JSON.parse(e.data); if (msg.type === "snapshot") render(msg); };
      ws.onclose = function () { box.dataset.live = "0"; setTimeout(connect, delay); delay = Math.min(delay * 2, 15000); };
    }
    connect();
  });
})();

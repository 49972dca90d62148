// The invigilator's console: a fresh snapshot of the room arrives over the websocket within a second of a change.
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

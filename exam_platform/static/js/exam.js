// The exam page. Nothing the candidate answers is lost: every change gets a sequence number and waits in
// local storage until the server acknowledges it (after its transaction committed); unacknowledged
// answers are resent after a reload or reconnect. Websocket first; HTTP POST when the socket cannot connect.
(function () {
  "use strict";
  var cfg, t, paper, queueKey, queue, ws = null, wsOpen = false, httpMode = false, wsFailures = 0;
  var offset = 0, deadline, clockStart, paused, warned5 = false, warned1 = false, finished = false;

  function $(id) { return document.getElementById(id); }
  function load() { try { return JSON.parse(localStorage.getItem(queueKey)) || null; } catch (e) { return null; } }
  function persist() { try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { /* full */ } }
  function serverNow() { return Date.now() + offset; }
  function syncClock(serverIso) { offset = Date.parse(serverIso) - Date.now(); }

  function setConn(state) {
    var el = $("conn");
    el.dataset.state = state;
    el.textContent = state === "online" ? t.online : state === "http" ? t.http : t.offline;
  }
  function showPending() {
    var n = Object.keys(queue.pending).length;
    $("pending").textContent = n ? n + " " + t.pending : "";
  }
  function alertBox(text) { var a = $("alert"); a.textContent = text; a.hidden = !text; }

  // --- answers -----------------------------------------------------------------------------------------
  function readAnswer(wrap) {
    var kind = wrap.dataset.kind;
    if (kind === "short" || kind === "essay") {
      var field = wrap.querySelector("input[type=text], textarea");
      return field.value;
    }
    var chosen = [];
    wrap.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) {
      if (i.checked) chosen.push(parseInt(i.value, 10));
    });
    return chosen;
  }
  function writeAnswer(wrap, value) {
    if (value === null || value === undefined) return;
    var kind = wrap.dataset.kind;
    if (kind === "short" || kind === "essay") { wrap.querySelector("input[type=text], textarea").value = value; return; }
    wrap.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) {
      i.checked = value.indexOf(parseInt(i.value, 10)) !== -1;
    });
  }
  // A live word count under each essay (words = runs of non-space characters, as the marking page counts).
  function countWords(wrap) {
    if (wrap.dataset.kind !== "essay") return;
    var out = wrap.querySelector(".word-count");
    if (!out) {
      out = document.createElement("p");
      out.className = "word-count muted";
      out.setAttribute("aria-live", "polite");
      wrap.querySelector("textarea").insertAdjacentElement("afterend", out);
    }
    var text = wrap.querySelector("textarea").value.trim();
    out.textContent = t.words + " " + (text ? text.split(/\s+/).length : 0);
  }
  function answered(value) { return value !== null && value !== undefined && (typeof value === "string" ? value.trim() !== "" : value.length > 0); }
  function refreshGrid() {
    document.querySelectorAll(".qwrap").forEach(function (wrap) {
      var pos = wrap.dataset.position, btn = document.querySelector('.qbtn[data-go="' + pos + '"]');
      if (!btn) return;
      btn.classList.toggle("answered", answered(readAnswer(wrap)));
      btn.classList.toggle("flagged", wrap.dataset.flagged === "1");
    });
  }
  function changed(wrap) {
    if (finished) return;
    var pos = parseInt(wrap.dataset.position, 10);
    queue.seq += 1;
    queue.pending[pos] = { item: pos, seq: queue.seq, value: readAnswer(wrap), client_time: new Date().toISOString() };
    persist(); showPending(); refreshGrid();
    send(queue.pending[pos]);
  }
  function acked(msg) {
    var p = queue.pending[msg.item];
    if (p && p.seq <= msg.seq) { delete queue.pending[msg.item]; persist(); }
    showPending();
  }
  function refused(msg) {
    // The server refused (time up, paused, another device...): keep the answer queued unless it can never succeed.
    alertBox(msg.message);
    if (msg.code === "bad_answer" || msg.code === "bad_item" || msg.code === "bad_message") {
      delete queue.pending[msg.item]; persist(); showPending();
    }
    if (msg.code === "too_late" || msg.code === "finished") { finish(); }
    if (msg.code === "busy" || msg.code === "retry") {  // nothing was stored: send it again shortly
      setTimeout(function () { if (queue.pending[msg.item]) send(queue.pending[msg.item]); }, 2000);
    }
  }
  function send(p) {
    if (wsOpen) { ws.send(JSON.stringify({ type: "save", item: p.item, seq: p.seq, value: p.value, client_time: p.client_time })); return; }
    if (httpMode) { httpSave(p); }
  }
  function resendAll() { Object.keys(queue.pending).forEach(function (k) { send(queue.pending[k]); }); }
  function httpSave(p) {
    fetch(cfg.save, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ item: p.item, seq: p.seq, value: p.value, client_time: p.client_time, device: window.examDevice }) })
      .then(function (r) { return r.json(); })
      .then(function (msg) { if (msg.type === "ack") acked(msg); else refused(msg); })
      .catch(function () { setConn("offline"); });
  }
  function csrf() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); return m ? m[1] : ""; }

  // --- clock --------------------------------------------------------------------------------------------
  function applyState(msg) {
    if (msg.server_time) syncClock(msg.server_time);
    if (msg.deadline) deadline = Date.parse(msg.deadline);
    paused = !!msg.paused;
    alertBox(paused ? t.paused : "");
    if (msg.status && msg.status !== "open") finish();
  }
  function tick() {
    if (finished) return;
    var left = Math.max(0, Math.round((deadline - serverNow()) / 1000));
    var m = Math.floor(left / 60), s = left % 60;
    $("countdown").textContent = (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    $("countdown").classList.toggle("low", left <= 300);
    if (!paused && left <= 300 && left > 60 && !warned5) { warned5 = true; alertBox(t.five); }
    if (!paused && left <= 60 && left > 0 && !warned1) { warned1 = true; alertBox(t.one); }
    if (!paused && left === 0) { alertBox(t.timeup); setTimeout(pollState, 3000); }
  }
  function pollState() {
    fetch(cfg.state, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(applyState)
      .catch(function () { /* next poll */ });
  }
  function finish() {
    if (finished) return;
    finished = true;
    document.querySelectorAll("#paper input, #paper textarea, #submit-btn").forEach(function (el) { el.disabled = true; });
    setTimeout(function () { window.location.href = cfg.result; }, 1500);
  }

  // --- transport ----------------------------------------------------------------------------------------
  function connect() {
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    try {
      ws = new WebSocket(proto + location.host + cfg.ws + "?device=" + encodeURIComponent(window.examDevice));
    } catch (e) { return fallback(); }
    var timer = setTimeout(function () { if (!opened) { try { ws.close(); } catch (e) { /* ignore */ } } }, 5000);
    ws.onopen = function () { opened = true; clearTimeout(timer); wsOpen = true; wsFailures = 0; httpMode = false; setConn("online"); resendAll(); };
    ws.onmessage = function (e) {
      var msg = JSON.parse(e.data);
      if (msg.type === "ack") acked(msg);
      else if (msg.type === "error") refused(msg);
      else if (msg.type === "state") applyState(msg);
      else if (msg.type === "pong") syncClock(msg.server_time);
      else if (msg.type === "finished") finish();
      else if (msg.type === "refused" || msg.type === "released") { alertBox(msg.message); finished = true; }
    };
    ws.onclose = function () {
      clearTimeout(timer);
      wsOpen = false;
      if (finished) return;
      wsFailures += 1;
      if (wsFailures >= 2) fallback(); else setConn("offline");
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, wsFailures)));
    };
  }
  function fallback() {
    if (!httpMode) { httpMode = true; setConn("http"); resendAll(); }
  }

  // --- navigation ---------------------------------------------------------------------------------------
  var current = 0, wraps;
  function show(index) {
    if (!cfg.one_per_screen) { wraps[index].scrollIntoView({ behavior: "smooth", block: "start" }); return; }
    current = Math.max(0, Math.min(wraps.length - 1, index));
    wraps.forEach(function (w, i) { w.hidden = i !== current; });
    document.querySelectorAll(".qbtn").forEach(function (b, i) { b.classList.toggle("current", i === current); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    cfg = JSON.parse($("exam-config").textContent);
    t = JSON.parse($("i18n").innerHTML);
    syncClock(cfg.server_time);
    deadline = Date.parse(cfg.deadline);
    clockStart = Date.parse(cfg.clock_start);
    paused = cfg.paused;
    queueKey = "exam-queue-" + cfg.attempt;
    queue = load() || { seq: 0, pending: {} };
    paper = $("paper");
    if (!paper) { setTimeout(function () { location.reload(); }, Math.max(2000, clockStart - serverNow() + 500)); return; }
    wraps = Array.prototype.slice.call(document.querySelectorAll(".qwrap"));
    wraps.forEach(function (wrap) {
      var pos = wrap.dataset.position;
      writeAnswer(wrap, cfg.answers[pos]);
      if (queue.pending[pos]) writeAnswer(wrap, queue.pending[pos].value);  // newer than the server's copy
      wrap.dataset.flagged = cfg.flagged.indexOf(parseInt(pos, 10)) !== -1 ? "1" : "0";
      wrap.addEventListener("change", function () { changed(wrap); });
      wrap.addEventListener("input", function (e) { if (e.target.type === "text" || e.target.tagName === "TEXTAREA") { changed(wrap); countWords(wrap); } });
      countWords(wrap);
    });
    document.querySelectorAll("[data-go]").forEach(function (b, i) { b.addEventListener("click", function () { show(i); }); });
    document.querySelectorAll("[data-prev]").forEach(function (b) { b.addEventListener("click", function () { show(current - 1); }); });
    document.querySelectorAll("[data-next]").forEach(function (b) { b.addEventListener("click", function () { show(current + 1); }); });
    document.querySelectorAll("[data-flag]").forEach(function (b) {
      b.addEventListener("click", function () {
        var wrap = b.closest(".qwrap");
        wrap.dataset.flagged = wrap.dataset.flagged === "1" ? "0" : "1";
        refreshGrid();
        if (wsOpen) ws.send(JSON.stringify({ type: "flag", item: parseInt(wrap.dataset.position, 10), flagged: wrap.dataset.flagged === "1" }));
      });
    });
    document.addEventListener("keydown", function (e) {
      if (e.target.tagName === "INPUT" && e.target.type === "text" || e.target.tagName === "TEXTAREA") return;
      if (e.key === "ArrowRight") show(current + 1);
      if (e.key === "ArrowLeft") show(current - 1);
    });
    window.addEventListener("blur", function () { if (wsOpen) ws.send(JSON.stringify({ type: "event", kind: "focus_lost" })); });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && wsOpen) ws.send(JSON.stringify({ type: "event", kind: "page_hidden" }));
    });
    $("submit-btn").addEventListener("click", function (e) {
      e.preventDefault();
      if (Object.keys(queue.pending).length) { alertBox(t.unsaved); resendAll(); return; }
      var missing = wraps.filter(function (w) { return !answered(readAnswer(w)); })
        .map(function (w) { return parseInt(w.dataset.position, 10) + 1; });
      $("confirm-text").textContent = t.confirm + " " + (missing.length ? t.unanswered + " " + missing.join(", ") : t.none_unanswered);
      $("confirm-submit").showModal();
    });
    $("confirm-yes").addEventListener("click", function () { $("submit-form").submit(); });
    $("confirm-no").addEventListener("click", function () { $("confirm-submit").close(); });
    refreshGrid(); showPending(); show(0); connect();
    setInterval(tick, 1000); tick();
    setInterval(function () { if (wsOpen) ws.send(JSON.stringify({ type: "ping" })); else if (httpMode) { pollState(); resendAll(); } }, 15000);
  });
})();

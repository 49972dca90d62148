// The exam page (docs/exam-day.md). The page never shows what the server does not hold without saying so:
// - every change gets a counter and waits in local storage until the server acknowledges it (after its
//   transaction committed); unacknowledged answers are resent after a reload or reconnect;
// - counters start above the device epoch the server gives the page (epoch * 2^32), so a machine that takes the
//   paper after another always numbers above it; answers left unsent by an earlier device session are kept only
//   when the server holds nothing newer for their question;
// - a "conflict" (the server holds another value under a counter at or above ours) is resolved by numbering
//   above the stored counter and sending our value again: what the candidate did last on this machine wins;
// - a refusal that can never succeed puts the server's answer back on screen; a refusal that stops the paper
//   (released, another machine, time up) locks the inputs; a paused room locks them until it resumes;
// - text is sent when the candidate stops typing for a moment, leaves the field, or submits.
// Websocket first; HTTP POST (saves and flags) when the socket cannot connect.
(function () {
  "use strict";
  var TEXT_DELAY_MS = 800;
  var cfg, t, paper, queueKey, queue, ws = null, wsOpen = false, httpMode = false, wsFailures = 0;
  var offset = 0, deadline, paused, warned5 = false, warned1 = false, finished = false, blocked = false;
  var held = {}, lastSent = {}, textTimers = {}, storageOk = true, saveState = "";

  function $(id) { return document.getElementById(id); }
  function load() { try { return JSON.parse(localStorage.getItem(queueKey)) || null; } catch (e) { return null; } }
  function persist() {
    var ok = true;
    try { localStorage.setItem(queueKey, JSON.stringify(queue)); } catch (e) { ok = false; }
    if (ok !== storageOk) { storageOk = ok; $("storage-alert").hidden = ok; }
  }
  function serverNow() { return Date.now() + offset; }
  function syncClock(serverIso) { offset = Date.parse(serverIso) - Date.now(); }
  function wrapAt(pos) { return document.querySelector('.qwrap[data-position="' + pos + '"]'); }

  function setConn(state) {
    var el = $("conn");
    if (el.dataset.state === state) return;
    el.dataset.state = state;
    el.textContent = state === "online" ? t.online : state === "http" ? t.http : state === "closed" ? t.closed
      : state === "waiting" ? t.waiting : t.offline;
  }
  // The count is for the eye; the status line (a live region) changes only when the state does, so a screen
  // reader hears "saving" and "saved", not every keystroke.
  function showPending() {
    var n = Object.keys(queue.pending).length;
    $("pending").textContent = n ? n + " " + t.pending : "";
    var state = n ? "saving" : "saved";
    if (state !== saveState) { saveState = state; $("save-status").textContent = n ? t.saving : t.saved; }
  }
  function alertBox(text) { var a = $("alert"); a.textContent = text; a.hidden = !text; }

  // --- inputs locked or open ----------------------------------------------------------------------------
  // Answers, flags and the submit button; moving between questions stays possible (to read the paper).
  function setInputs(enabled) {
    document.querySelectorAll("#paper input, #paper textarea, #paper [data-flag], #submit-btn").forEach(function (el) {
      el.disabled = !enabled;
    });
  }
  // A pause shows in the sticky bar (seen wherever the candidate has scrolled), stops the clock and locks the answers.
  function refreshLock() {
    setInputs(!(finished || blocked || paused));
    $("paused-flag").hidden = !paused;
    $("countdown").classList.toggle("paused", !!paused);
  }
  // The paper cannot go on here (released, another machine, no room code on this machine): lock it, keep what is
  // queued (it is resent if this machine takes the paper again), and say how to go on.
  function block(message) {
    blocked = true;
    flushText();
    setConn("closed");
    alertBox(message);
    $("reenter").hidden = false;
    refreshLock();
    if (ws) { try { ws.close(); } catch (e) { /* closed */ } }
  }

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
    var kind = wrap.dataset.kind;
    if (kind === "short" || kind === "essay") {
      wrap.querySelector("input[type=text], textarea").value = value === null || value === undefined ? "" : value;
      countWords(wrap);
      return;
    }
    var chosen = value || [];
    wrap.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (i) {
      i.checked = chosen.indexOf(parseInt(i.value, 10)) !== -1;
    });
  }
  // A live word count under each essay (words = runs of non-space characters, as the marking page counts).
  function countWords(wrap) {
    if (wrap.dataset.kind !== "essay") return;
    var out = wrap.querySelector(".word-count");
    if (!out) {
      out = document.createElement("p");
      out.className = "word-count muted";
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
      btn.classList.toggle("unsaved", !!queue.pending[pos]);
      btn.classList.toggle("flagged", wrap.dataset.flagged === "1");
      wrap.querySelector("[data-flag]").setAttribute("aria-pressed", wrap.dataset.flagged === "1" ? "true" : "false");
    });
  }
  // A change is queued (and kept in local storage) at once; text goes out when the candidate pauses.
  function changed(wrap, later) {
    if (finished || blocked) return;
    var pos = parseInt(wrap.dataset.position, 10);
    queue.seq += 1;
    queue.pending[pos] = { item: pos, seq: queue.seq, value: readAnswer(wrap), client_time: new Date().toISOString() };
    persist(); showPending(); refreshGrid();
    clearTimeout(textTimers[pos]);
    if (later) { textTimers[pos] = setTimeout(function () { delete textTimers[pos]; sendPending(pos); }, TEXT_DELAY_MS); }
    else { delete textTimers[pos]; send(queue.pending[pos]); }
  }
  function isText(el) { return el.tagName === "TEXTAREA" || el.type === "text"; }
  function sendPending(pos) { if (queue.pending[pos]) send(queue.pending[pos]); }
  function flushText() {
    Object.keys(textTimers).forEach(function (pos) { clearTimeout(textTimers[pos]); delete textTimers[pos]; sendPending(pos); });
  }
  function acked(msg) {
    var sent = lastSent[msg.item];
    if (sent && sent.seq === msg.seq) held[msg.item] = sent.value;
    var p = queue.pending[msg.item];
    if (p && p.seq <= msg.seq) { delete queue.pending[msg.item]; persist(); }
    showPending(); refreshGrid();
  }
  // The server holds another value under a counter at or above ours (another machine, or storage that was
  // cleared): nothing was stored. Number above it and send our value again, if it is still our latest.
  function conflict(msg) {
    var p = queue.pending[msg.item];
    if (!p || p.seq !== msg.seq) return;
    queue.seq = Math.max(queue.seq, msg.stored_seq);
    queue.seq += 1;
    p.seq = queue.seq;
    persist();
    send(p);
  }
  // Put the server's answer back on screen for a save that can never be stored.
  function restore(pos) {
    delete queue.pending[pos]; persist();
    var wrap = wrapAt(pos);
    if (wrap) writeAnswer(wrap, held[pos]);
    showPending(); refreshGrid();
  }
  function refused(msg) {
    var code = msg.code;
    if (code === "bad_answer" || code === "bad_item" || code === "bad_message") {
      alertBox(msg.message);
      if (msg.item !== undefined && msg.item !== null) restore(msg.item);
    } else if (code === "too_late" || code === "finished") {
      alertBox(msg.message); finish();
    } else if (code === "other_device" || code === "no_device" || code === "not_yours") {
      block(msg.message);
    } else if (code === "paused") {
      paused = true; refreshLock(); alertBox(t.paused);  // resent when the room resumes
    } else if (code === "slow_down") {  // over the paper's save allowance: kept, sent again quietly
      setTimeout(function () { sendPending(msg.item); }, 1500);
    } else {  // busy, retry, not started: nothing was stored; send it again shortly
      alertBox(msg.message);
      setTimeout(function () { sendPending(msg.item); }, 2000);
    }
  }
  function send(p) {
    if (finished || blocked) return;
    lastSent[p.item] = { seq: p.seq, value: p.value };
    if (wsOpen) { ws.send(JSON.stringify({ type: "save", item: p.item, seq: p.seq, value: p.value, client_time: p.client_time })); return; }
    if (httpMode) { httpSave(p); }
  }
  function resendAll() {
    Object.keys(queue.pending).forEach(function (k) { if (!textTimers[k]) send(queue.pending[k]); });
    Object.keys(queue.flags).forEach(function (k) { sendFlag(parseInt(k, 10)); });
  }
  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); });
  }
  function httpSave(p) {
    post(cfg.save, { item: p.item, seq: p.seq, value: p.value, client_time: p.client_time })
      .then(function (msg) {
        if (msg.type === "ack") acked(msg); else if (msg.type === "conflict") conflict(msg); else refused(msg);
      })
      .catch(function () { setConn("offline"); });
  }
  function csrf() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); return m ? m[1] : ""; }

  // --- flags (kept until the server has them, like answers) ---------------------------------------------
  function sendFlag(pos) {
    if (finished || blocked || queue.flags[pos] === undefined) return;
    var body = { type: "flag", item: pos, flagged: queue.flags[pos] };
    if (wsOpen) { ws.send(JSON.stringify(body)); return; }
    if (httpMode) { post(cfg.flag, body).then(flagged).catch(function () { setConn("offline"); }); }
  }
  function flagged(msg) {
    if (msg.stored && queue.flags[msg.item] === msg.flagged) { delete queue.flags[msg.item]; persist(); }
  }

  // --- clock --------------------------------------------------------------------------------------------
  function applyState(msg) {
    if (msg.server_time) syncClock(msg.server_time);
    if (msg.deadline) deadline = Date.parse(msg.deadline);
    var wasPaused = paused;
    paused = !!msg.paused;
    if (paused !== wasPaused || paused) alertBox(paused ? t.paused : "");
    refreshLock();
    if (wasPaused && !paused) resendAll();
    if (msg.status && msg.status !== "open") finish();
  }
  function tick() {
    if (finished || paused) return;  // stopped: the room's resume brings the new deadline
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
    refreshLock();
    setTimeout(function () { window.location.href = cfg.result; }, 1500);
  }

  // --- transport ----------------------------------------------------------------------------------------
  function connect() {
    if (finished || blocked) return;
    var proto = location.protocol === "https:" ? "wss://" : "ws://";
    var opened = false;
    try {
      ws = new WebSocket(proto + location.host + cfg.ws);  // the device pass travels as a cookie
    } catch (e) { return fallback(); }
    var timer = setTimeout(function () { if (!opened) { try { ws.close(); } catch (e) { /* ignore */ } } }, 5000);
    ws.onopen = function () { opened = true; clearTimeout(timer); wsOpen = true; wsFailures = 0; httpMode = false; setConn("online"); resendAll(); };
    ws.onmessage = function (e) {
      var msg = JSON.parse(e.data);
      if (msg.type === "ack") acked(msg);
      else if (msg.type === "conflict") conflict(msg);
      else if (msg.type === "error") refused(msg);
      else if (msg.type === "state") applyState(msg);
      else if (msg.type === "pong") syncClock(msg.server_time);
      else if (msg.type === "flagged") flagged(msg);
      else if (msg.type === "finished") finish();
      else if (msg.type === "refused") refused(msg);
      else if (msg.type === "released") block(msg.message);
    };
    ws.onclose = function () {
      clearTimeout(timer);
      wsOpen = false;
      if (finished || blocked) return;
      wsFailures += 1;
      if (wsFailures >= 2) fallback(); else setConn("offline");
      setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, wsFailures)));
    };
  }
  function fallback() {
    if (!httpMode) { httpMode = true; setConn("http"); resendAll(); }
  }
  // The browser knows first when the network goes: an open socket may look alive for minutes after (its acks
  // just stop coming), so the page says "offline" at once; when the network is back, every unsaved answer is
  // sent again (a duplicate is acknowledged as one).
  window.addEventListener("offline", function () { if (!finished && !blocked) setConn("offline"); });
  window.addEventListener("online", function () {
    if (finished || blocked) return;
    if (wsOpen) { setConn("online"); resendAll(); } else if (httpMode) { setConn("http"); resendAll(); }
  });

  // --- navigation ---------------------------------------------------------------------------------------
  var current = 0, wraps;
  function show(index, focus) {
    current = Math.max(0, Math.min(wraps.length - 1, index));
    if (cfg.one_per_screen) {
      wraps.forEach(function (w, i) { w.hidden = i !== current; });
      document.querySelectorAll(".qbtn").forEach(function (b, i) { b.classList.toggle("current", i === current); });
    } else {
      wraps[current].scrollIntoView({ behavior: "smooth", block: "start" });
    }
    // The question shown takes the focus (its heading), so keyboard and screen-reader users land on it.
    if (focus) wraps[current].querySelector(".item-number").focus({ preventScroll: !cfg.one_per_screen });
  }

  // --- start-up -----------------------------------------------------------------------------------------
  // What this browser kept from earlier visits: an answer the server already holds (or holds something newer
  // for) is dropped; one from an earlier device session that is still newer than the server's is renumbered
  // into this session, so that it is not taken for a replay.
  function loadQueue() {
    var kept = load() || {};
    queue = { seq: kept.seq || 0, pending: kept.pending || {}, flags: kept.flags || {}, epoch: kept.epoch };
    var floor = cfg.seq_base;
    Object.keys(cfg.seqs).forEach(function (k) { floor = Math.max(floor, cfg.seqs[k]); });
    Object.keys(queue.pending).forEach(function (k) {
      if ((cfg.seqs[k] || 0) >= queue.pending[k].seq) delete queue.pending[k];
    });
    var earlier = queue.epoch !== cfg.epoch;
    queue.seq = Math.max(earlier ? 0 : queue.seq, floor);
    if (earlier) {
      Object.keys(queue.pending).forEach(function (k) { queue.seq += 1; queue.pending[k].seq = queue.seq; });
      queue.epoch = cfg.epoch;
    }
    persist();
  }

  document.addEventListener("DOMContentLoaded", function () {
    cfg = JSON.parse($("exam-config").textContent);
    t = JSON.parse($("i18n").innerHTML);
    syncClock(cfg.server_time);
    deadline = Date.parse(cfg.deadline);
    paused = cfg.paused;
    queueKey = "exam-queue-" + cfg.attempt;
    paper = $("paper");
    if (!paper) {
      // Before the start: a countdown to it, and no connection yet (none is needed until the questions appear).
      var clockStart = Date.parse(cfg.clock_start);
      setConn("waiting");
      var beforeTick = function () {
        var left = Math.max(0, Math.round((clockStart - serverNow()) / 1000));
        var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
        $("countdown").textContent = t.starts_in + " " + (h ? h + ":" : "") + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      };
      beforeTick(); setInterval(beforeTick, 1000);
      setTimeout(function () { location.reload(); }, Math.max(2000, clockStart - serverNow() + 500));
      return;
    }
    // Answers go out one by one; Enter in a short answer must not submit the form (and reload the page).
    paper.addEventListener("submit", function (e) { e.preventDefault(); });
    loadQueue();
    Object.keys(cfg.answers).forEach(function (k) { held[k] = cfg.answers[k]; });
    wraps = Array.prototype.slice.call(document.querySelectorAll(".qwrap"));
    wraps.forEach(function (wrap) {
      var pos = wrap.dataset.position;
      writeAnswer(wrap, cfg.answers[pos]);
      if (queue.pending[pos]) writeAnswer(wrap, queue.pending[pos].value);  // newer than the server's copy
      var flag = queue.flags[pos] !== undefined ? queue.flags[pos] : cfg.flagged.indexOf(parseInt(pos, 10)) !== -1;
      wrap.dataset.flagged = flag ? "1" : "0";
      // Choices go out at once; text when the candidate pauses or leaves the field (each keystroke is queued).
      wrap.addEventListener("change", function (e) { if (!isText(e.target)) changed(wrap, false); });
      wrap.addEventListener("input", function (e) { if (isText(e.target)) { changed(wrap, true); countWords(wrap); } });
      wrap.addEventListener("focusout", function (e) {
        var p = wrap.dataset.position;
        if (isText(e.target) && textTimers[p]) { clearTimeout(textTimers[p]); delete textTimers[p]; sendPending(p); }
      });
      countWords(wrap);
    });
    document.querySelectorAll("[data-go]").forEach(function (b, i) { b.addEventListener("click", function () { show(i, true); }); });
    document.querySelectorAll("[data-prev]").forEach(function (b) { b.addEventListener("click", function () { show(current - 1, true); }); });
    document.querySelectorAll("[data-next]").forEach(function (b) { b.addEventListener("click", function () { show(current + 1, true); }); });
    document.querySelectorAll("[data-flag]").forEach(function (b) {
      b.addEventListener("click", function () {
        if (finished || blocked) return;
        var wrap = b.closest(".qwrap"), pos = parseInt(wrap.dataset.position, 10);
        wrap.dataset.flagged = wrap.dataset.flagged === "1" ? "0" : "1";
        queue.flags[pos] = wrap.dataset.flagged === "1";
        persist(); refreshGrid(); sendFlag(pos);
      });
    });
    // Arrow keys move between questions only outside the answer fields: on a radio button they belong to the
    // browser, which moves the choice within the question (and a jump as well would change answers unseen).
    document.addEventListener("keydown", function (e) {
      var tag = e.target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
      if (e.key === "ArrowRight") show(current + 1, true);
      if (e.key === "ArrowLeft") show(current - 1, true);
    });
    window.addEventListener("blur", function () { if (wsOpen) ws.send(JSON.stringify({ type: "event", kind: "focus_lost" })); });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && wsOpen) ws.send(JSON.stringify({ type: "event", kind: "page_hidden" }));
    });
    $("submit-btn").addEventListener("click", function (e) {
      e.preventDefault();
      flushText();
      if (Object.keys(queue.pending).length) { alertBox(t.unsaved); resendAll(); return; }
      var missing = wraps.filter(function (w) { return !answered(readAnswer(w)); })
        .map(function (w) { return parseInt(w.dataset.position, 10) + 1; });
      $("confirm-text").textContent = t.confirm + " " + (missing.length ? t.unanswered + " " + missing.join(", ") : t.none_unanswered);
      $("confirm-submit").showModal();
    });
    $("confirm-yes").addEventListener("click", function () { $("submit-form").submit(); });
    $("confirm-no").addEventListener("click", function () { $("confirm-submit").close(); });
    refreshGrid(); showPending(); show(0, false); refreshLock(); connect();
    setInterval(tick, 1000); tick();
    setInterval(function () { if (wsOpen) ws.send(JSON.stringify({ type: "ping" })); else if (httpMode) { pollState(); resendAll(); } }, 15000);
  });
})();

// A lesson page's heartbeat (courses/progress.py): while the page is visible it tells the server, every period,
// which lesson is open and where the learner is (seconds into the video, or per mille of the text read); the
// server counts the time between beats. Over the websocket when it is up, by the HTTP fallback when it is not.
// The video or the text followed to the end completes the lesson. Where the learner left off, the video resumes.
(function () {
  "use strict";
  var box = document.getElementById("lesson");
  if (!box || !box.getAttribute("data-lesson")) { return; }
  var lesson = parseInt(box.getAttribute("data-lesson"), 10);
  var period = (parseInt(box.getAttribute("data-period"), 10) || 30) * 1000;
  var beatUrl = box.getAttribute("data-beat-url");
  var video = document.getElementById("lesson-video");
  var status = document.getElementById("lesson-connection");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  var socket = null, seq = 0, timer = null, retry = 1000, openedAt = Date.now();
  var pendingEnd = "";

  function position() {
    if (video) { return Math.floor(video.currentTime || 0); }
    var rect = box.getBoundingClientRect();
    var seen = window.innerHeight - rect.top;
    return Math.max(0, Math.min(1000, Math.round(1000 * seen / Math.max(rect.height, 1))));
  }

  function overHttp(message) {
    if (!beatUrl || !csrf) { return; }
    fetch(beatUrl, {method: "POST", credentials: "same-origin", keepalive: true,
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf.value},
      body: JSON.stringify(message)}).catch(function () {});
  }

  function beat(end, always) {
    if (document.visibilityState === "hidden" && !end && !always) { return; }
    seq += 1;
    var message = {type: "beat", lesson: lesson, position: position(), seq: seq, end: end || ""};
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    } else {
      overHttp(message);
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + box.getAttribute("data-socket"));
    socket.onopen = function () {
      retry = 1000;
      if (status) { status.textContent = ""; }
      beat(pendingEnd);
      pendingEnd = "";
    };
    socket.onclose = function () {
      socket = null;
      if (status) { status.textContent = status.getAttribute("data-offline") || ""; }
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }

  function finish(how) {
    if (socket && socket.readyState === WebSocket.OPEN) { beat(how); } else { pendingEnd = how; overHttp({
      type: "beat", lesson: lesson, position: position(), seq: ++seq, end: how}); }
    var state = document.getElementById("lesson-state");
    if (state && state.getAttribute("data-done")) { state.textContent = state.getAttribute("data-done"); }
  }

  if (video) {
    var resume = parseInt(box.getAttribute("data-position"), 10) || 0;
    if (resume > 0) {
      video.addEventListener("loadedmetadata", function () {
        if (resume < (video.duration || 0) - 5) { video.currentTime = resume; }
      }, {once: true});
    }
    video.addEventListener("ended", function () { finish("video"); });
  } else if ("IntersectionObserver" in window) {
    // The text is followed to the end when its last line is on screen after the page has been open a while
    // (a short text would otherwise count as read the moment it opens).
    var end = document.getElementById("lesson-end");
    var minimum = Math.min(60000, period);
    var done = false;
    new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting || done) { return; }
        var wait = Math.max(0, minimum - (Date.now() - openedAt));
        setTimeout(function () {
          if (!done && end.getBoundingClientRect().top < window.innerHeight) { done = true; finish("text"); }
        }, wait);
      });
    }).observe(end);
  }

  // Hidden: one last beat counts the time until now; shown again: a beat restarts the count.
  document.addEventListener("visibilitychange", function () { beat("", true); });
  window.addEventListener("pagehide", function () { beat("", true); });
  timer = setInterval(function () { beat(""); }, period);
  connect();
}());

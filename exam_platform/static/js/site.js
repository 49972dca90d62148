// Text size (remembered in a cookie so the server renders the right size at once), the page's small handlers and live
// notices.
(function () {
  "use strict";
  function setTextSize(size) {
    document.documentElement.classList.remove("text-s", "text-m", "text-l");
    document.documentElement.classList.add("text-" + size);
    document.cookie = "text_size=" + size + "; path=/; max-age=31536000; SameSite=Lax";
    document.querySelectorAll("[data-text-size]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.textSize === size ? "true" : "false");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var current = (document.cookie.match(/(?:^|; )text_size=([sml])/) || [])[1] || "m";
    setTextSize(current);
    document.querySelectorAll("[data-text-size]").forEach(function (b) {
      b.addEventListener("click", function () { setTextSize(b.dataset.textSize); });
    });
    // The page's policy runs no inline handler: what templates once wrote as onchange= / onclick= lives here.
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });

    var box = document.getElementById("live-notices");
    if (!box || !window.WebSocket) return;
    var delay = 1000;
    function connect() {
      var proto = location.protocol === "https:" ? "wss://" : "ws://";
      var ws = new WebSocket(proto + location.host + box.dataset.ws);
      ws.onopen = function () { delay = 1000; box.dataset.connected = "1"; };
      ws.onmessage = function (e) {
        var data = JSON.parse(e.data);
        if (data.type !== "notice") return;
        var p = document.createElement("p");
        p.className = "notice";
        p.textContent = data.text + " — " + data.author;
        box.appendChild(p);
      };
      ws.onclose = function () {
        box.dataset.connected = "0";
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      };
    }
    connect();
  });
})();

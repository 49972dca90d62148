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
  // A posted form is sent once: its buttons are disabled and say the work is under way until the answer comes (an
  // import, a room allocation, the papers of a sitting take seconds, and a second click would send it twice).
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (e.defaultPrevented || (f.method || "").toLowerCase() !== "post") { return; }
    var busy = document.body.dataset.busyText;
    window.setTimeout(function () {  // after the browser has read the clicked button's name and value
      f.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
        b.disabled = true;
        if (busy) { b.dataset.label = b.textContent; b.textContent = busy; }
      });
    }, 0);
  });
  // Back to a page from the browser's history: its buttons work again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("button[data-label]").forEach(function (b) {
      b.disabled = false; b.textContent = b.dataset.label; delete b.dataset.label;
    });
  });
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
    // A long picker (people, units) filters as you type: a search box before it hides the options that do not
    // contain what was typed (accents ignored), and keeps the chosen one.
    var fold = function (text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
    };
    document.querySelectorAll("select[data-filter]").forEach(function (select) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-filter";
      box.setAttribute("aria-label", select.dataset.filter);
      box.placeholder = select.dataset.filter;
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var wanted = fold(box.value.trim());
        Array.prototype.forEach.call(select.options, function (option) {
          option.hidden = wanted !== "" && option.value !== "" && !option.selected && fold(option.text).indexOf(wanted) === -1;
        });
      });
    });
    // An irreversible step asks first (form data-confirm="what it will do").
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.dataset.confirm)) { e.preventDefault(); }
      });
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

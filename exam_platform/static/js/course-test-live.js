// A graded course test's live table (courses/templates/courses/tests_live.html): every few seconds, each try's
// status, deadline, end and score from the page's state URL. A finished try loses its "more time" form; a try that
// started since the page was drawn reloads the page (unless someone is typing an extension, then it says so).
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  if (!status) { return; }
  var url = status.getAttribute("data-state-url");
  var FIELDS = ["started", "status_label", "deadline", "finished", "score"];

  function typing() {
    var active = document.activeElement;
    if (active && active.form && active.form.classList.contains("extend-form")) { return true; }
    return Array.prototype.some.call(document.querySelectorAll(".extend-form input[type=text]"), function (input) {
      return input.value !== "";
    });
  }

  function show(state) {
    var unseen = false;
    state.tries.forEach(function (t) {
      var row = document.querySelector("tr[data-try='" + t.id + "']");
      if (!row) { unseen = true; return; }
      FIELDS.forEach(function (name) {
        var cell = row.querySelector("[data-field='" + name + "']");
        if (cell && cell.textContent !== t[name]) { cell.textContent = t[name]; }
      });
      var label = row.querySelector("[data-field='status_label']");
      if (label) { label.className = "try-" + t.status; }
      if (!t.open) {
        var form = row.querySelector(".extend-form");
        if (form) { form.remove(); }
      }
    });
    if (unseen) {
      if (typing()) { status.textContent = status.getAttribute("data-reload-text"); }
      else { window.location.reload(); }
    }
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 5000);
})();

// Live preview (rendered by the server with the candidate's template) and image upload for the question editor.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("question-form");
    var pane = document.getElementById("question-preview");
    if (!form || !pane) return;
    var timer = null;
    function refresh() {
      fetch(form.dataset.previewUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { pane.innerHTML = html; });
    }
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(refresh, 100); });
    refresh();

    var input = document.getElementById("image-input");
    var status = document.getElementById("image-status");
    var text = form.querySelector("textarea[name=text]");
    if (!input || !text) return;
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      var data = new FormData();
      data.append("image", input.files[0]);
      data.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      fetch(form.dataset.uploadUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.error) { status.textContent = body.error; return; }
          var tag = '<img src="' + body.url + '" alt="">';
          var at = text.selectionStart || text.value.length;
          text.value = text.value.slice(0, at) + tag + text.value.slice(at);
          status.textContent = "✓";
          refresh();
        });
      input.value = "";
    });
  });
})();

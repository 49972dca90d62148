// The lecturer's self check-in screen: fetch the current code, its QR and who has checked in, every few seconds.
(function () {
  "use strict";
  var box = document.getElementById("check-in");
  if (!box) { return; }
  var url = box.getAttribute("data-state-url");
  var left = document.getElementById("check-in-left");
  function show(state) {
    if (!state.open) { window.location.reload(); return; }
    document.getElementById("check-in-code").textContent = state.code;
    document.getElementById("check-in-qr").innerHTML = state.qr;  // an SVG the server drew from the code
    left.textContent = state.seconds_left;
    document.getElementById("check-in-count").textContent = state.count;
    var list = document.getElementById("check-in-list");
    list.textContent = "";
    state.present.forEach(function (p) {
      var item = document.createElement("li");
      item.textContent = p.name + " · " + p.at;
      list.appendChild(item);
    });
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) { if (state) { show(state); } })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 2000); });
  }
  setInterval(function () {
    var n = parseInt(left.textContent, 10);
    if (n > 0) { left.textContent = n - 1; }
  }, 1000);
  setTimeout(poll, 3000);
})();

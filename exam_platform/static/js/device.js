// A random id for this browser, kept in local storage: one active device per attempt (DESIGN.md §3).
(function () {
  "use strict";
  var key = "exam-device-id";
  var id = null;
  try { id = localStorage.getItem(key); } catch (e) { id = null; }
  if (!id) {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    try { localStorage.setItem(key, id); } catch (e) { /* private mode: this page load only */ }
  }
  window.examDevice = id;
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[name=device]").forEach(function (input) { input.value = id; });
  });
})();

// The desk's only script: the ticket table refreshes itself, and "select all" works.
// Served from the desk itself (CSP: script-src 'self'); no library, nothing fetched elsewhere.
(function () {
  "use strict";
  var REFRESH_MS = 15000;

  function picked(wrap) {
    var ids = {};
    wrap.querySelectorAll("input.pick:checked").forEach(function (box) { ids[box.value] = true; });
    return ids;
  }

  function refresh(wrap, source) {
    if (document.hidden) { return; }
    var keep = picked(wrap);
    fetch(source, { credentials: "same-origin", headers: { "X-Requested-With": "desk" } })
      .then(function (answer) { return answer.ok ? answer.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        wrap.innerHTML = html;
        wrap.querySelectorAll("input.pick").forEach(function (box) {
          if (keep[box.value]) { box.checked = true; }
        });
        wrap.dispatchEvent(new CustomEvent("desk:refreshed", { bubbles: true }));
      })
      .catch(function () { /* the next round tries again */ });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var wrap = document.getElementById("rows-wrap");
    var live = document.getElementById("live");
    if (wrap && live) {
      var source = live.getAttribute("data-src");
      window.setInterval(function () { refresh(wrap, source); }, REFRESH_MS);
      live.addEventListener("click", function () { refresh(wrap, source); });
    }
    document.addEventListener("change", function (event) {
      var target = event.target;
      if (target && target.id === "select-all") {
        document.querySelectorAll("input.pick").forEach(function (box) {
          box.checked = target.checked;
        });
      }
    });
  });
})();

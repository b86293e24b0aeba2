// Live updates for the staff pages: listen to server-sent events and re-fetch the
// server-rendered fragment. Pages work without this script; it only saves a reload.
(function () {
  "use strict";
  function announce(text) {
    var status = document.getElementById("live-status");
    if (status) { status.textContent = text; }
  }
  function watch(box) {
    var pending = false;
    var refresh = function () {
      if (pending) { return; }
      pending = true;
      setTimeout(function () {
        fetch(box.dataset.fragment, { credentials: "same-origin", headers: { "Accept": "text/html" } })
          .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) {
            box.innerHTML = html;
            box.dispatchEvent(new CustomEvent("live-updated", { bubbles: true }));
            announce(document.documentElement.lang === "en" ? "Updated" : "Opdateret");
          })
          .catch(function () {})
          .then(function () { pending = false; });
      }, 50);
    };
    var source = new EventSource(box.dataset.live);
    ["answered", "escalated", "attached", "ignored", "failed", "staff", "message"].forEach(function (name) {
      source.addEventListener(name, refresh);
    });
    // (Re)connected: fetch once, so nothing that happened before the stream opened is missed.
    source.addEventListener("open", function () {
      if (box.dataset.liveReady) { refresh(); }
      box.dataset.liveReady = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-live][data-fragment]"), watch);
  });
}());

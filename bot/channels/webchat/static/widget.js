// The embeddable chat: one <script src=".../chat/widget.js" defer></script> on any site
// adds a button that opens the chat (an iframe of /chat?embed=1) in the page's corner.
// Optional attributes on the script tag: data-lang="en", data-label="...".
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__indgangWidget) { return; }
  window.__indgangWidget = true;
  var origin = new URL(script.src).origin;
  var lang = script.dataset.lang === "en" ? "en" : "da";
  var label = script.dataset.label || (lang === "en" ? "Write to the municipality" : "Skriv til kommunen");
  var title = lang === "en" ? "Chat with Erhvervsservice" : "Chat med Erhvervsservice";

  function style(el, rules) { Object.keys(rules).forEach(function (k) { el.style.setProperty(k, rules[k]); }); }

  var button = document.createElement("button");
  button.type = "button";
  button.id = "indgang-chat-button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", "indgang-chat-frame");
  style(button, {
    position: "fixed", right: "1rem", bottom: "1rem", "z-index": "2147483000", padding: "0.7rem 1.1rem",
    background: "#0b4f8a", color: "#fff", border: "2px solid #fff", "border-radius": "2rem",
    font: "600 1rem/1.2 system-ui, sans-serif", cursor: "pointer", "box-shadow": "0 2px 8px rgba(0,0,0,.3)"
  });

  var frame = document.createElement("iframe");
  frame.id = "indgang-chat-frame";
  frame.title = title;
  frame.hidden = true;
  frame.src = origin + "/chat?embed=1&lang=" + lang;
  style(frame, {
    position: "fixed", right: "1rem", bottom: "4.5rem", "z-index": "2147483000", width: "min(24rem, calc(100vw - 2rem))",
    height: "min(36rem, calc(100vh - 6rem))", border: "1px solid #4a5560", "border-radius": "0.75rem",
    background: "#fff", "box-shadow": "0 4px 16px rgba(0,0,0,.3)"
  });

  function setOpen(open) {
    frame.hidden = !open;
    frame.style.display = open ? "block" : "none";
    button.setAttribute("aria-expanded", String(open));
    if (open) { frame.focus(); frame.contentWindow.postMessage("indgang:focus", origin); }
    else { button.focus(); }
  }

  button.addEventListener("click", function () { setOpen(frame.hidden); });
  window.addEventListener("message", function (e) {
    if (e.origin === origin && e.data === "indgang:close") { setOpen(false); }
  });
  frame.style.display = "none";
  document.body.append(frame, button);
})();

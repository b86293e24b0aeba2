// The chat page: send with Enter, show replies as they arrive, survive reloads.
// Everything a person wrote is shown with textContent, never as HTML.
(function () {
  "use strict";

  var root = document.getElementById("chat");
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var errorBox = document.getElementById("chat-error");
  var statusBox = document.getElementById("chat-status");
  var langButton = document.getElementById("chat-lang");
  var closeButton = document.getElementById("chat-close");
  var strings = JSON.parse(document.getElementById("chat-strings").textContent);
  var token = root.dataset.token;
  var embedded = root.dataset.embed === "1";
  var lang = root.dataset.lang;
  var seen = new Set();
  var retry = null; // {text, id} of a message whose sending failed: resent with the same id

  function t(key) { return strings[lang][key]; }

  function clientId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function add(item) {
    if (seen.has(item.key)) { return null; }
    seen.add(item.key);
    var li = document.createElement("li");
    li.className = "msg msg-" + item.direction;
    li.dataset.key = item.key;
    var who = document.createElement("span");
    who.className = "who";
    if (item.direction === "in") { who.dataset.i18n = "you"; who.textContent = t("you"); }
    else { who.textContent = item.author; }
    var text = document.createElement("p");
    text.className = "text";
    text.textContent = item.text;
    li.append(who, text);
    log.append(li);
    li.scrollIntoView({ block: "end" });
    return li;
  }

  function forget(li, key) { if (li) { li.remove(); } seen.delete(key); }
  function showError(message) { errorBox.textContent = message || ""; }
  function setStatus(message) { statusBox.textContent = message || ""; }

  async function send() {
    var text = input.value.trim();
    var id = retry && retry.text === text ? retry.id : clientId();
    var key = "c" + id;
    var li = text ? add({ key: key, direction: "in", text: text }) : null;
    var notice = "";
    input.value = "";
    showError("");
    setStatus(t("sending"));
    try {
      var res = await fetch("/chat/messages", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Chat-Token": token },
        body: JSON.stringify({ text: text, id: id, lang: lang })
      });
      if (!res.ok) {
        var body = await res.json().catch(function () { return {}; });
        throw new Error(body.error || t("failed"));
      }
      retry = null;
      var outcome = await res.json();
      if (outcome.status === "failed") { notice = t("handed_over"); }
    } catch (err) {
      forget(li, key);
      retry = { text: text, id: id };
      input.value = text;
      showError(err instanceof TypeError ? t("failed") : err.message);
    } finally {
      setStatus(notice);
      input.focus();
    }
  }

  async function loadHistory() {
    var res = await fetch("/chat/history", { credentials: "same-origin" });
    if (!res.ok) { return; }
    var data = await res.json();
    data.items.forEach(add);
  }

  function listen() {
    var events = new EventSource("/chat/events");
    events.addEventListener("ready", function () { root.dataset.live = "1"; setStatus(""); loadHistory(); });
    events.addEventListener("reply", function (e) { add(JSON.parse(e.data)); });
    events.onerror = function () { root.dataset.live = "0"; setStatus(t("offline")); };
  }

  function switchLanguage() {
    lang = lang === "da" ? "en" : "da";
    document.documentElement.lang = lang;
    root.dataset.lang = lang;
    form.elements.lang.value = lang;
    langButton.lang = lang === "da" ? "en" : "da";
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-label]").forEach(function (el) {
      el.setAttribute("aria-label", t(el.dataset.i18nLabel));
    });
    document.cookie = "indgang_chat_lang=" + lang + "; path=/chat; max-age=31536000; SameSite=Lax";
  }

  function close() { window.parent.postMessage("indgang:close", "*"); }

  log.querySelectorAll("li[data-key]").forEach(function (li) { seen.add(li.dataset.key); });
  form.addEventListener("submit", function (e) { e.preventDefault(); send(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    if (e.key === "Escape" && embedded) { close(); }
  });
  langButton.addEventListener("click", switchLanguage);
  if (closeButton) { closeButton.addEventListener("click", close); }
  window.addEventListener("message", function (e) { if (e.data === "indgang:focus") { input.focus(); } });
  if (log.lastElementChild) { log.lastElementChild.scrollIntoView({ block: "end" }); }
  if (!embedded) { input.focus(); }
  listen();
})();

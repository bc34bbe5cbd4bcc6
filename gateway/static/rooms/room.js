// Conversation room page: join with a name and language, read every message in that language, the original
// one click away. All user text goes through textContent, never innerHTML.
//
// Nothing written is lost: each message gets an id made here (client_id) and stays in the outbox (kept in
// localStorage, so a reload keeps it too) until the server acknowledges it, which it does only once the
// message is stored. After a reconnect the outbox is sent again with the same ids; the server recognises a
// retry and answers with the message it stored, so nothing is doubled. A reconnect also sends the newest
// message id the page has (`after`), and the server replays everything since.
"use strict";

const roomId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const storageKey = `room:${roomId}:participant`;
const outboxKey = `room:${roomId}:outbox`;
const el = (id) => document.getElementById(id);
const messageNodes = new Map(); // message id -> <li>, so an update replaces the message in place
const outgoingNodes = new Map(); // client id -> <li> of a message not acknowledged yet
const outbox = loadOutbox(); // client id -> text, in the order written
let uiLang = guessLanguage();
let me = loadParticipant();
let socket = null;
let reconnectDelayMs = 500;
let unknownRoom = false;

function guessLanguage() {
  for (const tag of navigator.languages || [navigator.language || "cs"]) {
    const code = tag.slice(0, 2).toLowerCase();
    if (LANGUAGES.includes(code)) return code;
  }
  return "cs";
}

function loadParticipant() {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) || "null");
    if (saved && typeof saved.name === "string" && LANGUAGES.includes(saved.lang)) return saved;
  } catch (error) { /* unreadable storage: ask again */ }
  return null;
}

function loadOutbox() {
  try {
    const saved = JSON.parse(localStorage.getItem(outboxKey) || "[]");
    if (Array.isArray(saved)) {
      return new Map(saved.filter((entry) => Array.isArray(entry) && entry.length === 2).map(([id, text]) => [String(id), String(text)]));
    }
  } catch (error) { /* unreadable storage: start empty */ }
  return new Map();
}

function saveOutbox() {
  try { localStorage.setItem(outboxKey, JSON.stringify([...outbox.entries()])); } catch (error) { /* private mode */ }
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID needs a secure context (https or localhost); the gateway may be reached over plain http.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function newestId() {
  let newest = 0;
  for (const id of messageNodes.keys()) newest = Math.max(newest, id);
  return newest;
}

function t(key) { return STRINGS[uiLang][key] || STRINGS.cs[key] || key; }

function applyStrings() {
  document.documentElement.lang = uiLang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of messageNodes.values()) updateToggleLabel(node);
  for (const node of outgoingNodes.values()) node.querySelector(".pending-mark").textContent = `⏳ ${t("sending")}`;
}

function setStatus(key) {
  el("connection-status").textContent = t(key);
  el("connection-status").dataset.state = key;
}

function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString(uiLang, { hour: "2-digit", minute: "2-digit" });
}

function updateToggleLabel(item) {
  const toggle = item.querySelector(".toggle-original");
  if (!toggle) return;
  const expanded = toggle.getAttribute("aria-expanded") === "true";
  toggle.textContent = expanded ? t("hideOriginal") : t("showOriginal");
}

function renderMessage(message) {
  const item = document.createElement("li");
  item.className = "message";
  item.dataset.id = String(message.id);
  item.dataset.status = message.status;
  if (me && message.author === me.name && message.lang === me.lang) item.classList.add("mine");

  const meta = document.createElement("p");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = message.author;
  const badge = document.createElement("span");
  badge.className = "lang-badge";
  badge.textContent = LANGUAGE_NAMES[message.lang] || message.lang;
  badge.title = message.lang;
  const time = document.createElement("time");
  time.dateTime = message.created_at;
  time.textContent = formatTime(message.created_at);
  meta.append(author, " ", badge, " ", time);

  const body = document.createElement("p");
  body.className = "text";
  body.lang = message.status === "translated" ? message.shown_lang : message.lang;
  body.textContent = message.text;
  item.append(meta, body);

  if (message.status === "pending") {
    const mark = document.createElement("p");
    mark.className = "pending-mark";
    mark.textContent = `⏳ ${t("pending")}`;
    item.append(mark);
  }
  if (message.status === "translated") {
    const originalId = `original-${message.id}`;
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "toggle-original";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", originalId);
    const original = document.createElement("blockquote");
    original.className = "original";
    original.id = originalId;
    original.lang = message.lang;
    original.hidden = true;
    const label = document.createElement("span");
    label.className = "original-label";
    label.textContent = `${t("original")} (${LANGUAGE_NAMES[message.lang] || message.lang}): `;
    const originalText = document.createElement("span");
    originalText.className = "original-text";
    originalText.textContent = message.original;
    original.append(label, originalText);
    toggle.addEventListener("click", () => {
      const expanded = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!expanded));
      original.hidden = expanded;
      updateToggleLabel(item);
    });
    item.append(toggle, original);
    updateToggleLabel(item);
  }
  return item;
}

function upsertMessage(message) {
  const list = el("message-list");
  const fresh = renderMessage(message);
  const existing = messageNodes.get(message.id);
  if (existing) {
    // Keep the original open if the reader had opened it.
    const wasOpen = existing.querySelector(".toggle-original[aria-expanded='true']");
    existing.replaceWith(fresh);
    if (wasOpen) fresh.querySelector(".toggle-original")?.click();
  } else {
    // Follow the conversation unless the reader scrolled up to read older messages.
    const nearBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
    const later = [...messageNodes.entries()].filter(([id]) => id > message.id).sort((a, b) => a[0] - b[0]);
    if (later.length) list.insertBefore(fresh, later[0][1]); else list.append(fresh);
    if (nearBottom) fresh.scrollIntoView({ block: "end" });
  }
  messageNodes.set(message.id, fresh);
  el("empty-hint").hidden = messageNodes.size > 0;
}

function showOutgoing(clientId, text) {
  // The writer sees the message at once, marked as sending, until the server has stored it.
  if (outgoingNodes.has(clientId)) return;
  const item = document.createElement("li");
  item.className = "message mine outgoing";
  item.dataset.clientId = clientId;
  const body = document.createElement("p");
  body.className = "text";
  body.textContent = text;
  const mark = document.createElement("p");
  mark.className = "pending-mark";
  mark.textContent = `⏳ ${t("sending")}`;
  item.append(body, mark);
  el("message-list").append(item);
  outgoingNodes.set(clientId, item);
  el("empty-hint").hidden = true;
}

function settleOutgoing(clientId) {
  outbox.delete(clientId);
  saveOutbox();
  outgoingNodes.get(clientId)?.remove();
  outgoingNodes.delete(clientId);
  el("empty-hint").hidden = messageNodes.size > 0 || outgoingNodes.size > 0;
}

function sendOutbox() {
  for (const [clientId, text] of outbox) {
    showOutgoing(clientId, text);
    socket.send(JSON.stringify({ type: "message", text, client_id: clientId }));
  }
}

async function fetchMissed(after) {
  // More was missed than the server replays on joining: page through the history from the cursor.
  let cursor = after;
  for (;;) {
    const query = new URLSearchParams({ lang: me.lang, after: String(cursor), limit: "1000" });
    const response = await fetch(`/api/rooms/${encodeURIComponent(roomId)}/messages?${query}`);
    if (!response.ok) return;
    const page = (await response.json()).messages;
    for (const message of page) upsertMessage(message);
    if (page.length < 1000) return;
    cursor = page[page.length - 1].id;
  }
}

function renderParticipants(participants) {
  const list = el("participant-list");
  list.replaceChildren();
  for (const participant of participants) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = participant.name;
    const badge = document.createElement("span");
    badge.className = "lang-badge";
    badge.textContent = LANGUAGE_NAMES[participant.lang] || participant.lang;
    item.append(name, " ", badge);
    if (me && participant.name === me.name && participant.lang === me.lang) {
      item.classList.add("me");
      item.append(` (${t("you")})`);
    }
    list.append(item);
  }
}

function showError(elementId, text) {
  const node = el(elementId);
  node.textContent = text;
  node.hidden = !text;
}

function setComposerEnabled(enabled) {
  el("composer-text").disabled = !enabled;
  el("send-button").disabled = !enabled;
}

function connect() {
  if (!me || unknownRoom) return;
  setStatus(messageNodes.size ? "reconnecting" : "connecting");
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/rooms/${encodeURIComponent(roomId)}/ws`);
  socket.addEventListener("open", () => {
    const join = { type: "join", name: me.name, lang: me.lang };
    if (messageNodes.size) join.after = newestId(); // a reconnect: only what was missed comes back
    socket.send(JSON.stringify(join));
  });
  socket.addEventListener("message", (frame) => {
    let event;
    try { event = JSON.parse(frame.data); } catch (error) { return; }
    handleEvent(event);
  });
  socket.addEventListener("close", (closeEvent) => {
    setComposerEnabled(false);
    if (closeEvent.code === 4404) { unknownRoom = true; setStatus("unknownRoom"); return; }
    setStatus("reconnecting");
    // 1013: this page fell behind (a slow link); come straight back and catch up from the cursor.
    setTimeout(connect, closeEvent.code === 1013 ? 200 : reconnectDelayMs);
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, 15000);
  });
}

function handleEvent(event) {
  switch (event.type) {
    case "joined":
      reconnectDelayMs = 500;
      el("room-title").textContent = event.room.title || t("untitled");
      document.title = `${event.room.title || t("untitled")} · Trojzemí`;
      setStatus("connected");
      setComposerEnabled(true);
      break;
    case "history":
      for (const message of event.messages) upsertMessage(message);
      if (event.complete === false && event.messages.length) fetchMissed(event.messages[event.messages.length - 1].id);
      sendOutbox(); // what was written but never acknowledged, with the same ids
      break;
    case "ack":
      if (event.client_id) settleOutgoing(event.client_id);
      upsertMessage(event.message);
      break;
    case "message":
    case "update":
      upsertMessage(event.message);
      break;
    case "presence":
      renderParticipants(event.participants);
      break;
    case "error":
      if (event.code === "invalid_message") {
        if (event.client_id) settleOutgoing(event.client_id); // refused for good: resending would not help
        showError("composer-error", event.detail);
      }
      else if (event.code === "invalid_join") { showError("join-error", event.detail); openJoinDialog(); }
      else if (event.code === "unknown_room") showError("composer-error", t("unknownRoom"));
      break;
    default:
      break;
  }
}

function openJoinDialog() {
  const dialog = el("join-dialog");
  el("join-lang").value = (me && me.lang) || uiLang;
  if (me) el("join-name").value = me.name;
  if (!dialog.open) dialog.showModal();
  el("join-name").focus();
}

el("join-lang").addEventListener("change", () => { uiLang = el("join-lang").value; applyStrings(); });
el("join-form").addEventListener("submit", (submitEvent) => {
  const name = el("join-name").value.trim();
  if (!name) { submitEvent.preventDefault(); showError("join-error", t("nameRequired")); return; }
  me = { name, lang: el("join-lang").value };
  uiLang = me.lang;
  try { localStorage.setItem(storageKey, JSON.stringify(me)); } catch (error) { /* private mode: fine */ }
  showError("join-error", "");
  applyStrings();
  if (socket) socket.close(); else connect();
  el("composer-text").focus();
});
el("join-dialog").addEventListener("cancel", (cancelEvent) => { if (!me) cancelEvent.preventDefault(); });

el("composer").addEventListener("submit", (submitEvent) => {
  submitEvent.preventDefault();
  const field = el("composer-text");
  const text = field.value.trim();
  if (!text) return;
  if (text.length > 2000) { showError("composer-error", t("tooLong")); return; }
  if (!socket || socket.readyState !== WebSocket.OPEN) return; // the text stays in the field until reconnected
  const clientId = newClientId();
  outbox.set(clientId, text);
  saveOutbox();
  showOutgoing(clientId, text);
  socket.send(JSON.stringify({ type: "message", text, client_id: clientId }));
  field.value = "";
  field.style.height = "";
  showError("composer-error", "");
});
el("composer-text").addEventListener("keydown", (keyEvent) => {
  if (keyEvent.key === "Enter" && !keyEvent.shiftKey && !keyEvent.isComposing) {
    keyEvent.preventDefault();
    el("composer").requestSubmit();
  }
});
el("composer-text").addEventListener("input", (inputEvent) => {
  const field = inputEvent.target;
  field.style.height = "auto";
  field.style.height = `${Math.min(field.scrollHeight, 160)}px`;
});
el("copy-link").addEventListener("click", async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    el("copy-feedback").textContent = t("linkCopied");
  } catch (error) {
    el("copy-feedback").textContent = t("copyFailed");
  }
  setTimeout(() => { el("copy-feedback").textContent = ""; }, 3000);
});

if (me) uiLang = me.lang;
applyStrings();
el("room-title").textContent = t("untitled");
if (me) connect(); else openJoinDialog();

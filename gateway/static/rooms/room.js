// Conversation room page: join with a name and language, read every message in that language, the original
// one click away. All user text goes through textContent, never innerHTML.
"use strict";

const STRINGS = {
  cs: {
    skipToComposer: "Přejít k psaní zprávy", copyLink: "Kopírovat odkaz", linkCopied: "Odkaz zkopírován",
    copyFailed: "Zkopírujte adresu z adresního řádku", participants: "Účastníci",
    joinHeading: "Vstoupit do místnosti", nameLabel: "Vaše jméno", langLabel: "Jazyk, ve kterém čtete a píšete",
    joinButton: "Vstoupit", messagesHeading: "Zprávy",
    emptyHint: "Zatím tu nejsou žádné zprávy. Pošlete odkaz ostatním a začněte.", composerLabel: "Zpráva",
    composerPlaceholder: "Napište zprávu…", send: "Odeslat", composerHint: "Enter odešle, Shift+Enter nový řádek.",
    showOriginal: "Zobrazit originál", hideOriginal: "Skrýt originál", original: "Originál",
    translatedFrom: "přeloženo z", pending: "Zatím nepřeloženo — překlad dorazí, jakmile bude služba dostupná",
    connected: "Připojeno", connecting: "Připojuji…", reconnecting: "Spojení přerušeno, znovu se připojuji…",
    you: "vy", untitled: "Konverzační místnost", nameRequired: "Zadejte prosím jméno.",
    unknownRoom: "Tato místnost neexistuje.", tooLong: "Zpráva je příliš dlouhá (nejvýše 2000 znaků).",
  },
  de: {
    skipToComposer: "Zum Nachrichtenfeld springen", copyLink: "Link kopieren", linkCopied: "Link kopiert",
    copyFailed: "Kopieren Sie die Adresse aus der Adresszeile", participants: "Teilnehmende",
    joinHeading: "Raum betreten", nameLabel: "Ihr Name", langLabel: "Sprache, in der Sie lesen und schreiben",
    joinButton: "Betreten", messagesHeading: "Nachrichten",
    emptyHint: "Noch keine Nachrichten. Teilen Sie den Link und legen Sie los.", composerLabel: "Nachricht",
    composerPlaceholder: "Nachricht schreiben…", send: "Senden",
    composerHint: "Enter sendet, Umschalt+Enter neue Zeile.",
    showOriginal: "Original anzeigen", hideOriginal: "Original ausblenden", original: "Original",
    translatedFrom: "übersetzt aus", pending: "Noch nicht übersetzt — die Übersetzung folgt, sobald der Dienst erreichbar ist",
    connected: "Verbunden", connecting: "Verbinde…", reconnecting: "Verbindung unterbrochen, verbinde neu…",
    you: "Sie", untitled: "Gesprächsraum", nameRequired: "Bitte geben Sie einen Namen ein.",
    unknownRoom: "Diesen Raum gibt es nicht.", tooLong: "Die Nachricht ist zu lang (höchstens 2000 Zeichen).",
  },
  pl: {
    skipToComposer: "Przejdź do pisania wiadomości", copyLink: "Kopiuj link", linkCopied: "Link skopiowany",
    copyFailed: "Skopiuj adres z paska adresu", participants: "Uczestnicy",
    joinHeading: "Wejdź do pokoju", nameLabel: "Twoje imię", langLabel: "Język, w którym czytasz i piszesz",
    joinButton: "Wejdź", messagesHeading: "Wiadomości",
    emptyHint: "Nie ma jeszcze wiadomości. Wyślij link innym i zaczynajcie.", composerLabel: "Wiadomość",
    composerPlaceholder: "Napisz wiadomość…", send: "Wyślij", composerHint: "Enter wysyła, Shift+Enter nowa linia.",
    showOriginal: "Pokaż oryginał", hideOriginal: "Ukryj oryginał", original: "Oryginał",
    translatedFrom: "przetłumaczono z", pending: "Jeszcze nie przetłumaczono — tłumaczenie pojawi się, gdy usługa będzie dostępna",
    connected: "Połączono", connecting: "Łączenie…", reconnecting: "Połączenie przerwane, łączę ponownie…",
    you: "ty", untitled: "Pokój rozmów", nameRequired: "Podaj proszę imię.",
    unknownRoom: "Ten pokój nie istnieje.", tooLong: "Wiadomość jest za długa (najwyżej 2000 znaków).",
  },
};
const LANGUAGE_NAMES = { cs: "CS", de: "DE", pl: "PL" };
const LANGUAGES = Object.keys(STRINGS);

const roomId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const storageKey = `room:${roomId}:participant`;
const el = (id) => document.getElementById(id);
const messageNodes = new Map(); // message id -> <li>, so an update replaces the message in place
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

function t(key) { return STRINGS[uiLang][key] || STRINGS.cs[key] || key; }

function applyStrings() {
  document.documentElement.lang = uiLang;
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
  for (const node of messageNodes.values()) updateToggleLabel(node);
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
  socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "join", name: me.name, lang: me.lang })));
  socket.addEventListener("message", (frame) => {
    let event;
    try { event = JSON.parse(frame.data); } catch (error) { return; }
    handleEvent(event);
  });
  socket.addEventListener("close", (closeEvent) => {
    setComposerEnabled(false);
    if (closeEvent.code === 4404) { unknownRoom = true; setStatus("unknownRoom"); return; }
    setStatus("reconnecting");
    setTimeout(connect, reconnectDelayMs);
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
      break;
    case "message":
    case "update":
      upsertMessage(event.message);
      break;
    case "presence":
      renderParticipants(event.participants);
      break;
    case "error":
      if (event.code === "invalid_message") showError("composer-error", event.detail);
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
  socket.send(JSON.stringify({ type: "message", text }));
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

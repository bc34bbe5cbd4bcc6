// The office's answers in the web chat (issue 13). The official's answers and notices are fetched (polled) and
// shown like the assistant's messages: the translation into the resident's language with the Czech original
// beneath it, or the original with an "untranslated" mark. Every 3 s while an official holds the conversation
// or the resident wrote in the last 5 minutes, else every 20 s; at once when the page opens (a page opened
// again shows what the office wrote meanwhile). Reads the conversation id chat.js keeps; every text goes in
// through textContent.
"use strict";

(function () {
  const SENDER_KEY = "lk-chat-sender";
  const LANGUAGE_KEY = "lk-chat-language";
  const FAST_MS = 3000;
  const SLOW_MS = 20000;
  const ACTIVE_MS = 5 * 60 * 1000;
  const LABELS = {
    cs: { official: "Pracovník úřadu", original: "Originál (česky)", untranslated: "Nepřeloženo" },
    de: { official: "Kreisamt Liberec", original: "Original (Tschechisch)", untranslated: "Nicht übersetzt – tschechisches Original" },
    pl: { official: "Pracownik urzędu", original: "Oryginał (po czesku)", untranslated: "Nie przetłumaczono – oryginał po czesku" },
  };
  const conversation = document.getElementById("conversation");
  let lastId = 0;
  let lastSender = null;
  let takenOver = false;
  let lastActivity = 0;
  let timer = null;

  function stored(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null;
    }
  }

  function labels() {
    return LABELS[document.documentElement.lang] || LABELS[stored(LANGUAGE_KEY)] || LABELS.cs;
  }

  function paragraph(className, text) {
    const node = document.createElement("p");
    node.className = className;
    node.textContent = text;
    return node;
  }

  function render(message) {
    const item = document.createElement("li");
    item.dataset.officeMessage = String(message.id);
    if (message.kind !== "official") {
      item.className = "message message-notice message-info office-notice";
      item.setAttribute("role", "status");
      item.appendChild(paragraph("message-text", message.text));
      return item;
    }
    const text = labels();
    item.className = "message message-assistant message-official";
    item.lang = message.untranslated ? "cs" : message.language;
    const speaker = document.createElement("span");
    speaker.className = "speaker";
    speaker.textContent = text.official;
    item.appendChild(speaker);
    item.appendChild(paragraph("message-text", message.text));
    if (message.untranslated) item.appendChild(paragraph("untranslated-mark", text.untranslated));
    if (message.original) {
      const original = document.createElement("details");
      original.className = "official-original";
      original.open = true;
      const summary = document.createElement("summary");
      summary.textContent = text.original;
      original.appendChild(summary);
      const body = paragraph("message-text", message.original);
      body.lang = "cs";
      original.appendChild(body);
      item.appendChild(original);
    }
    return item;
  }

  async function ask(sender) {
    try {
      const response = await fetch("/api/chat/office-messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: sender, after: lastId }),
      });
      if (!response.ok) return;
      const body = await response.json();
      takenOver = body.taken_over === true;
      (body.messages || []).forEach((message) => {
        if (message.id <= lastId) return; // two answers in flight at once: shown once
        lastId = message.id;
        conversation.appendChild(render(message));
        conversation.lastElementChild.scrollIntoView({ block: "end" });
      });
    } catch (error) {
      /* offline for a moment: the next round asks again */
    }
  }

  async function poll() {
    window.clearTimeout(timer);
    const sender = stored(SENDER_KEY);
    if (sender) {
      if (sender !== lastSender) {
        lastSender = sender;
        lastId = 0;
      }
      await ask(sender);
    }
    const active = takenOver || Date.now() - lastActivity < ACTIVE_MS;
    timer = window.setTimeout(poll, active ? FAST_MS : SLOW_MS);
  }

  // A message of the resident or the assistant (not one of ours): the resident is here, ask often again.
  new MutationObserver((changes) => {
    const theirs = changes.some((change) => Array.from(change.addedNodes).some(
      (node) => node.nodeType === Node.ELEMENT_NODE && !node.dataset.officeMessage));
    if (!theirs) return;
    const idle = Date.now() - lastActivity >= ACTIVE_MS;
    lastActivity = Date.now();
    if (idle && !takenOver) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, FAST_MS);
    }
  }).observe(conversation, { childList: true });

  poll();
})();

// The office's answers in the web chat (issue 13). While a conversation is handed over to the regional office,
// the official's answers and notices are fetched every few seconds and shown like the assistant's messages:
// the translation into the resident's language with the Czech original beneath it, or the original with an
// "untranslated" mark. Reads the conversation id chat.js keeps; every text goes in through textContent.
"use strict";

(function () {
  const SENDER_KEY = "lk-chat-sender";
  const LANGUAGE_KEY = "lk-chat-language";
  const POLL_MS = 3000;
  const LABELS = {
    cs: { official: "Pracovník úřadu", original: "Originál (česky)", untranslated: "Nepřeloženo" },
    de: { official: "Kreisamt Liberec", original: "Original (Tschechisch)", untranslated: "Nicht übersetzt – tschechisches Original" },
    pl: { official: "Pracownik urzędu", original: "Oryginał (po czesku)", untranslated: "Nie przetłumaczono – oryginał po czesku" },
  };
  const conversation = document.getElementById("conversation");
  let lastId = 0;
  let lastSender = null;

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

  async function poll() {
    const sender = stored(SENDER_KEY);
    if (!sender) return;
    if (sender !== lastSender) {
      lastSender = sender;
      lastId = 0;
    }
    try {
      const response = await fetch("/api/chat/office-messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: sender, after: lastId }),
      });
      if (!response.ok) return;
      const body = await response.json();
      (body.messages || []).forEach((message) => {
        lastId = Math.max(lastId, message.id);
        conversation.appendChild(render(message));
        conversation.lastElementChild.scrollIntoView({ block: "end" });
      });
    } catch (error) {
      /* offline for a moment: the next round asks again */
    }
  }

  poll();
  window.setInterval(poll, POLL_MS);
})();

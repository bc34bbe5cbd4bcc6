// The office pages' live parts: the list of handed-over conversations and a conversation's thread are
// fetched again every few seconds. Plain DOM code; every text goes in through textContent.
"use strict";

(function () {
  const REFRESH_MS = 3000;

  function cell(row, content, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    if (content instanceof Node) td.appendChild(content);
    else td.textContent = content || "–";
    row.appendChild(td);
  }

  function renderHandovers(table, handovers) {
    const body = table.tBodies[0];
    body.replaceChildren();
    if (!handovers.length) {
      const row = document.createElement("tr");
      row.className = "empty";
      const td = document.createElement("td");
      td.colSpan = 7;
      td.textContent = "Žádné předané konverzace.";
      row.appendChild(td);
      body.appendChild(row);
      return;
    }
    handovers.forEach((handover) => {
      const row = document.createElement("tr");
      row.dataset.id = String(handover.id);
      const link = document.createElement("a");
      link.href = "/office/handovers/" + encodeURIComponent(handover.id);
      link.textContent = handover.when;
      cell(row, link);
      const status = document.createElement("span");
      status.className = "status status-" + handover.status;
      status.textContent = handover.status_text;
      cell(row, status);
      cell(row, handover.language);
      cell(row, handover.channel);
      cell(row, handover.question, "question");
      cell(row, handover.contact);
      cell(row, handover.claimed_by);
      body.appendChild(row);
    });
  }

  function renderMessage(message) {
    const item = document.createElement("li");
    const kind = message.author === "resident" ? "message-user"
      : message.author === "official" ? "message-official" : "message-notice message-info";
    item.className = "message thread-message " + kind;
    item.dataset.messageId = String(message.id);
    const speaker = document.createElement("span");
    speaker.className = "speaker";
    speaker.textContent = message.author_text + (message.official ? " (" + message.official + ")" : "")
      + " · " + message.when;
    item.appendChild(speaker);
    const text = document.createElement("p");
    text.className = "message-text";
    text.textContent = message.text;
    item.appendChild(text);
    if (message.translation) {
      const translation = document.createElement("p");
      translation.className = "translation";
      translation.textContent = (message.author === "official"
        ? "Překlad do " + message.translated_to : "Překlad do češtiny") + ": " + message.translation;
      item.appendChild(translation);
    }
    if (message.translation_failed) {
      const mark = document.createElement("p");
      mark.className = "untranslated";
      mark.textContent = "Nepřeloženo (překladová služba nebyla dostupná)";
      item.appendChild(mark);
    }
    return item;
  }

  async function refresh(element, apply) {
    try {
      const response = await fetch(element.dataset.live, { headers: { Accept: "application/json" } });
      if (response.status === 401) {
        window.location.assign("/office/sign-in");
        return;
      }
      if (response.ok) apply(await response.json());
    } catch (error) {
      /* offline for a moment: the next round tries again */
    }
  }

  const table = document.getElementById("handover-table");
  if (table) {
    window.setInterval(() => refresh(table, (body) => renderHandovers(table, body.handovers || [])), REFRESH_MS);
  }

  const thread = document.getElementById("thread");
  const status = document.getElementById("handover-status");
  if (thread) {
    let shownStatus = status ? status.textContent : "";
    window.setInterval(() => refresh(thread, (body) => {
      const known = new Set(Array.from(thread.querySelectorAll("[data-message-id]"), (item) => item.dataset.messageId));
      (body.messages || []).forEach((message) => {
        if (!known.has(String(message.id))) thread.appendChild(renderMessage(message));
      });
      if (status && body.status_text && body.status_text !== shownStatus) {
        // Someone else claimed or closed it: the forms shown no longer fit; load the page as it is now.
        shownStatus = body.status_text;
        window.location.reload();
      }
    }), REFRESH_MS);
  }
})();

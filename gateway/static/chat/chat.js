// Web chat of the Liberec Region assistant. Plain DOM code: every text from the user, the assistant or a
// document goes into the page through textContent, never as HTML.
"use strict";

(function () {
  const TEXTS = window.CHAT_TEXTS;
  const LANGUAGES = ["cs", "de", "pl"];
  const LANGUAGE_KEY = "lk-chat-language";
  const SENDER_KEY = "lk-chat-sender";
  const MAX_MESSAGE_CHARS = 5000;

  const conversation = document.getElementById("conversation");
  const typingIndicator = document.getElementById("typing-indicator");
  const form = document.getElementById("message-form");
  const input = document.getElementById("message-input");
  const sendButton = document.getElementById("send-button");
  const languageButtons = Array.from(document.querySelectorAll(".language-button"));

  let waitingForReply = false;
  // The last question the user typed: a button payload such as /affirm is no good for finding a passage.
  let lastTypedQuestion = "";
  let sourceCounter = 0;

  function storedValue(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null; // storage disabled (private mode): the page still works, it just forgets
    }
  }

  function storeValue(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      /* storage disabled: nothing to remember */
    }
  }

  function forgetValue(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      /* storage disabled: nothing was remembered */
    }
  }

  function initialLanguage() {
    const saved = storedValue(LANGUAGE_KEY);
    if (LANGUAGES.includes(saved)) return saved;
    const browserLanguage = (navigator.language || "").slice(0, 2).toLowerCase();
    return LANGUAGES.includes(browserLanguage) ? browserLanguage : "cs";
  }

  let currentLanguage = initialLanguage();
  // The conversation id is the server's: the first reply carries it (signed), and it is sent with every later
  // message. None yet (or storage disabled): the next message starts a conversation.
  let sender = storedValue(SENDER_KEY) || null;

  function rememberSender(id) {
    if (typeof id !== "string" || !id || id === sender) return;
    sender = id;
    storeValue(SENDER_KEY, id);
  }

  function forgetSender() {
    sender = null;
    forgetValue(SENDER_KEY);
  }

  function postMessage(messageText, language) {
    const body = { message: messageText, lang: language };
    if (sender) body.sender = sender;
    return fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  function text(key) {
    return (TEXTS[currentLanguage] && TEXTS[currentLanguage][key]) || TEXTS.cs[key] || key;
  }

  function applyLanguage(language, remember) {
    currentLanguage = language;
    if (remember) storeValue(LANGUAGE_KEY, language);
    document.documentElement.lang = language;
    document.title = text("title");
    document.querySelectorAll("[data-i18n]").forEach((element) => {
      element.textContent = text(element.dataset.i18n);
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((element) => {
      element.placeholder = text(element.dataset.i18nPlaceholder);
    });
    languageButtons.forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.lang === language));
    });
    // Labels inside earlier messages (speaker names, source toggles) follow the new language too.
    conversation.querySelectorAll("[data-i18n-live]").forEach((element) => {
      element.textContent = text(element.dataset.i18nLive);
    });
    conversation.querySelectorAll(".source-toggle").forEach((toggle) => {
      const expanded = toggle.getAttribute("aria-expanded") === "true";
      toggle.querySelector(".source-action").textContent = text(expanded ? "hidePassage" : "showPassage");
    });
  }

  function element(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function labelled(key) {
    const label = element("span", "speaker", text(key));
    label.dataset.i18nLive = key;
    return label;
  }

  function scrollToEnd() {
    window.requestAnimationFrame(() => {
      conversation.lastElementChild?.scrollIntoView({ block: "end", behavior: "smooth" });
    });
  }

  function addUserMessage(messageText) {
    const item = element("li", "message message-user");
    item.appendChild(labelled("you"));
    item.appendChild(element("p", "message-text", messageText));
    conversation.appendChild(item);
    scrollToEnd();
  }

  function addNotice(kind, messageText, detail) {
    const item = element("li", "message message-notice message-" + kind);
    item.setAttribute("role", "alert");
    item.appendChild(element("p", "message-text", messageText));
    if (detail) item.appendChild(element("p", "notice-detail", detail));
    conversation.appendChild(item);
    scrollToEnd();
  }

  function readableDate(isoDate, language) {
    // "2024-01-15" becomes "15. 1. 2024" / "15.1.2024" / "15.01.2024"; anything else is shown as given.
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate || "");
    if (!match) return isoDate || "";
    const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
    try {
      return new Intl.DateTimeFormat(language, { timeZone: "UTC" }).format(date);
    } catch (error) {
      return isoDate;
    }
  }

  function isWebAddress(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url);
  }

  async function searchPassage(source, query, language) {
    const parameters = new URLSearchParams({ q: query, lang: language, k: "10" });
    const response = await fetch("/api/documents/search?" + parameters.toString());
    if (!response.ok) return null;
    const body = await response.json();
    const results = Array.isArray(body.results) ? body.results : [];
    const sameFile = results.filter((hit) => hit.file === source.file);
    const sameSection = sameFile.find((hit) => source.section && hit.section === source.section);
    const hit = sameSection || sameFile[0];
    return hit ? hit.text : null;
  }

  async function loadPassage(source, question, language) {
    if (source.passage) return source.passage;
    // Sources without their passage: find the cited section again through the document search, first with
    // the question that was answered, then with the title and section of the source.
    const byQuestion = question ? await searchPassage(source, question, language) : null;
    if (byQuestion) return byQuestion;
    const byCitation = [source.title, source.section].filter(Boolean).join(" ");
    return byCitation ? searchPassage(source, byCitation, language) : null;
  }

  function renderSource(source, question, language) {
    const item = element("li", "source");
    const passageId = "source-passage-" + ++sourceCounter;
    const toggle = element("button", "source-toggle");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", passageId);
    toggle.appendChild(element("span", "source-title", source.title || source.file || "?"));
    const details = [source.section, readableDate(source.date, language)].filter(Boolean).join(" · ");
    if (details) toggle.appendChild(element("span", "source-details", details));
    toggle.appendChild(element("span", "source-action", text("showPassage")));
    item.appendChild(toggle);

    const passage = element("blockquote", "source-passage");
    passage.id = passageId;
    passage.hidden = true;
    item.appendChild(passage);

    let loaded = false;
    toggle.addEventListener("click", async () => {
      const expand = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(expand));
      toggle.querySelector(".source-action").textContent = text(expand ? "hidePassage" : "showPassage");
      passage.hidden = !expand;
      if (!expand || loaded) return;
      passage.textContent = text("passageLoading");
      let passageText = null;
      try {
        passageText = await loadPassage(source, question, language);
      } catch (error) {
        passageText = null;
      }
      loaded = passageText !== null;
      passage.textContent = passageText || text("passageMissing");
      if (isWebAddress(source.url)) {
        const link = element("a", "source-link", text("openDocument"));
        link.href = source.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        passage.appendChild(document.createElement("br"));
        passage.appendChild(link);
      }
    });
    return item;
  }

  function renderAssistantMessage(message, question, language) {
    const item = element("li", "message message-assistant");
    item.lang = language;
    item.appendChild(labelled("assistant"));
    if (message.text) item.appendChild(element("p", "message-text", message.text));

    const sources = Array.isArray(message.sources) ? message.sources : [];
    if (sources.length) {
      const heading = element("p", "sources-heading", text("sources"));
      heading.dataset.i18nLive = "sources";
      item.appendChild(heading);
      const list = element("ul", "sources");
      sources.forEach((source) => list.appendChild(renderSource(source, question, language)));
      item.appendChild(list);
    }

    const buttons = Array.isArray(message.buttons) ? message.buttons : [];
    if (buttons.length) {
      const group = element("div", "quick-replies");
      group.setAttribute("role", "group");
      buttons.forEach((button) => {
        const quickReply = element("button", "quick-reply", button.title || button.payload);
        quickReply.type = "button";
        quickReply.addEventListener("click", () => {
          if (waitingForReply) return;
          sendMessage(button.payload, button.title || button.payload);
        });
        group.appendChild(quickReply);
      });
      item.appendChild(group);
    }
    conversation.appendChild(item);
  }

  function setWaiting(waiting) {
    waitingForReply = waiting;
    typingIndicator.hidden = !waiting;
    sendButton.disabled = waiting;
    conversation.setAttribute("aria-busy", String(waiting));
    if (waiting) scrollToEnd();
  }

  async function readErrorDetail(response) {
    try {
      const body = await response.json();
      return typeof body.detail === "string" ? body.detail : "";
    } catch (error) {
      return "";
    }
  }

  async function sendMessage(messageText, shownText) {
    const language = currentLanguage;
    addUserMessage(shownText);
    setWaiting(true);
    try {
      let response;
      try {
        response = await postMessage(messageText, language);
        if (response.status === 403 && sender) {
          // The server no longer knows this id (it restarted with a new key, or the id was never its own):
          // start a new conversation with the same message instead of failing.
          forgetSender();
          response = await postMessage(messageText, language);
        }
      } catch (error) {
        addNotice("error", text("networkError"));
        return;
      }
      if (response.status >= 500) {
        addNotice("error", text("serviceDown"));
        return;
      }
      if (!response.ok) {
        addNotice("error", text("badRequest"), await readErrorDetail(response));
        return;
      }
      const reply = await response.json();
      rememberSender(reply.sender);
      const replyLanguage = LANGUAGES.includes(reply.lang) ? reply.lang : language;
      if (replyLanguage !== currentLanguage) applyLanguage(replyLanguage, true);
      const messages = Array.isArray(reply.messages) ? reply.messages : [];
      if (!messages.length) addNotice("info", text("noReply"));
      if (!messageText.startsWith("/")) lastTypedQuestion = messageText;
      messages.forEach((message) => renderAssistantMessage(message, lastTypedQuestion, replyLanguage));
      scrollToEnd();
    } catch (error) {
      addNotice("error", text("networkError"));
    } finally {
      setWaiting(false);
    }
  }

  function submitInput() {
    const messageText = input.value.trim();
    if (!messageText || waitingForReply) return;
    if (messageText.length > MAX_MESSAGE_CHARS) {
      addNotice("error", text("tooLong"));
      return;
    }
    input.value = "";
    resizeInput();
    sendMessage(messageText, messageText);
  }

  function resizeInput() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitInput();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitInput();
    }
  });
  input.addEventListener("input", resizeInput);
  languageButtons.forEach((button) => {
    button.addEventListener("click", () => applyLanguage(button.dataset.lang, true));
  });

  async function warnWhenAssistantIsDown() {
    // Tell people before they type, not after, when the assistant cannot answer at the moment.
    try {
      const response = await fetch("/health");
      const report = await response.json();
      if (report.services && report.services.rasa === "down") addNotice("error", text("serviceDown"));
    } catch (error) {
      addNotice("error", text("networkError"));
    }
  }

  applyLanguage(currentLanguage, false);
  const welcome = element("li", "message message-assistant message-welcome");
  welcome.appendChild(labelled("assistant"));
  const welcomeText = element("p", "message-text", text("welcome"));
  welcomeText.dataset.i18nLive = "welcome";
  welcome.appendChild(welcomeText);
  conversation.appendChild(welcome);
  warnWhenAssistantIsDown();
})();

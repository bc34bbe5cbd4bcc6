// "New room" page: create a room through the API and open it.
"use strict";

const STRINGS = {
  cs: { newHeading: "Konverzační místnost s překladem",
    newIntro: "Každý píše ve svém jazyce a každý čte ve svém jazyce: česky, německy nebo polsky.",
    titleLabel: "Název místnosti (nepovinné)", createButton: "Vytvořit místnost",
    failed: "Místnost se nepodařilo vytvořit. Zkuste to prosím znovu." },
  de: { newHeading: "Gesprächsraum mit Übersetzung",
    newIntro: "Alle schreiben und lesen in ihrer eigenen Sprache: Tschechisch, Deutsch oder Polnisch.",
    titleLabel: "Name des Raums (optional)", createButton: "Raum erstellen",
    failed: "Der Raum konnte nicht erstellt werden. Bitte versuchen Sie es erneut." },
  pl: { newHeading: "Pokój rozmów z tłumaczeniem",
    newIntro: "Każdy pisze i czyta w swoim języku: po czesku, niemiecku lub polsku.",
    titleLabel: "Nazwa pokoju (opcjonalnie)", createButton: "Utwórz pokój",
    failed: "Nie udało się utworzyć pokoju. Spróbuj ponownie." },
};
const lang = ((navigator.languages || [navigator.language || "cs"]).map((tag) => tag.slice(0, 2).toLowerCase())
  .find((code) => code in STRINGS)) || "cs";
document.documentElement.lang = lang;
for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = STRINGS[lang][node.dataset.i18n];

document.getElementById("new-room-form").addEventListener("submit", async (submitEvent) => {
  submitEvent.preventDefault();
  const error = document.getElementById("new-room-error");
  error.hidden = true;
  try {
    const response = await fetch("/api/rooms", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ title: document.getElementById("room-title").value }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const room = await response.json();
    location.assign(room.url);
  } catch (failure) {
    error.textContent = STRINGS[lang].failed;
    error.hidden = false;
  }
});

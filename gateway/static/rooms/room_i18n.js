// Labels of the room page in cs/de/pl (loaded before room.js, which reads STRINGS, LANGUAGE_NAMES, LANGUAGES).
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
    sending: "Odesílá se…",
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
    sending: "Wird gesendet…",
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
    sending: "Wysyłanie…",
  },
};
const LANGUAGE_NAMES = { cs: "CS", de: "DE", pl: "PL" };
const LANGUAGES = Object.keys(STRINGS);

"""What residents read from the office side, in Czech, German and Polish (the office works in Czech)."""

from gateway.language import LanguageCode

# The bot's answer to a message while an official holds the conversation.
FORWARDED: dict[LanguageCode, str] = {
    "cs": "Vaši zprávu jsem předal pracovníkovi úřadu, který konverzaci převzal. Odpoví vám zde.",
    "de": (
        "Ich habe Ihre Nachricht an die Mitarbeiterin bzw. den Mitarbeiter des Kreisamts weitergegeben, "
        "die bzw. der das Gespräch übernommen hat. Die Antwort erscheint hier."
    ),
    "pl": "Przekazałem Twoją wiadomość pracownikowi urzędu, który przejął rozmowę. Odpowie tutaj.",
}
TAKEN_OVER: dict[LanguageCode, str] = {
    "cs": "Konverzaci převzal pracovník Krajského úřadu Libereckého kraje. Další zprávy čte on, ne asistent.",
    "de": (
        "Eine Mitarbeiterin bzw. ein Mitarbeiter des Kreisamts Liberec hat das Gespräch übernommen. "
        "Ihre weiteren Nachrichten liest ein Mensch, nicht der Assistent."
    ),
    "pl": (
        "Rozmowę przejął pracownik Urzędu Kraju Libereckiego. Twoje kolejne wiadomości czyta człowiek, "
        "nie asystent."
    ),
}
CLOSED: dict[LanguageCode, str] = {
    "cs": "Pracovník úřadu konverzaci uzavřel. Nyní vám opět odpovídá asistent.",
    "de": "Das Kreisamt hat das Gespräch abgeschlossen. Ab jetzt antwortet Ihnen wieder der Assistent.",
    "pl": "Pracownik urzędu zakończył rozmowę. Teraz znów odpowiada asystent.",
}
OFFICIAL_LABEL: dict[LanguageCode, str] = {
    "cs": "Pracovník úřadu",
    "de": "Kreisamt Liberec",
    "pl": "Pracownik urzędu",
}
ORIGINAL_LABEL: dict[LanguageCode, str] = {
    "cs": "Originál (česky)",
    "de": "Original (Tschechisch)",
    "pl": "Oryginał (po czesku)",
}
# Shown with the Czech original when the translation service could not translate the answer.
UNTRANSLATED: dict[LanguageCode, str] = {
    "cs": "",
    "de": (
        "Nicht übersetzt: Der Übersetzungsdienst war nicht erreichbar, hier die Antwort im tschechischen "
        "Original."
    ),
    "pl": "Nie przetłumaczono: usługa tłumaczenia była niedostępna, oto odpowiedź w oryginale po czesku.",
}

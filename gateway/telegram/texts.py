"""What the bot says, in Czech, German and Polish. Plain text: Telegram gets no parse mode, so nothing a user
or a document wrote can turn into markup."""

from gateway.language import LanguageCode

LANGUAGE_NAMES: dict[LanguageCode, str] = {"cs": "čeština", "de": "Deutsch", "pl": "polski"}
# Shown before each translation in a group reply, so readers find their line at a glance.
LANGUAGE_TAGS: dict[LanguageCode, str] = {"cs": "🇨🇿 CZ", "de": "🇩🇪 DE", "pl": "🇵🇱 PL"}

HELP: dict[LanguageCode, str] = {
    "cs": (
        "Dobrý den, jsem asistent Libereckého kraje pro Trojzemí.\n\n"
        "• Napište mi otázku o službách, dotacích nebo dokumentech kraje a odpovím česky, německy "
        "nebo polsky.\n"
        "• /lang cs|de|pl – změní jazyk odpovědí.\n"
        "• /translate de <text> – přeloží text do němčiny (nebo cs, pl).\n\n"
        "Ve skupině: každý člen si nastaví jazyk příkazem /lang a já ke každé zprávě připojím překlad "
        "do ostatních jazyků skupiny."
    ),
    "de": (
        "Guten Tag, ich bin der Assistent der Region Liberec für das Dreiländereck.\n\n"
        "• Fragen Sie mich nach Dienstleistungen, Förderungen oder Dokumenten der Region – ich antworte auf "
        "Tschechisch, Deutsch oder Polnisch.\n"
        "• /lang cs|de|pl – ändert die Sprache meiner Antworten.\n"
        "• /translate cs <Text> – übersetzt einen Text ins Tschechische (oder de, pl).\n\n"
        "In einer Gruppe: Jedes Mitglied wählt mit /lang seine Sprache, und ich antworte auf jede Nachricht "
        "mit ihrer Übersetzung in die anderen Sprachen der Gruppe."
    ),
    "pl": (
        "Dzień dobry, jestem asystentem Kraju libereckiego dla Trójstyku.\n\n"
        "• Zapytaj mnie o usługi, dotacje lub dokumenty regionu – odpowiem po czesku, niemiecku lub polsku.\n"
        "• /lang cs|de|pl – zmienia język moich odpowiedzi.\n"
        "• /translate de <tekst> – tłumaczy tekst na niemiecki (lub cs, pl).\n\n"
        "W grupie: każdy członek ustawia swój język poleceniem /lang, a ja do każdej wiadomości dodaję "
        "jej tłumaczenie na pozostałe języki grupy."
    ),
}

LANGUAGE_SET: dict[LanguageCode, str] = {
    "cs": "Jazyk nastaven: čeština.",
    "de": "Sprache eingestellt: Deutsch.",
    "pl": "Ustawiono język: polski.",
}
MEMBER_LANGUAGE_SET: dict[LanguageCode, str] = {
    "cs": "{name} čte a píše česky.",
    "de": "{name} liest und schreibt Deutsch.",
    "pl": "{name} czyta i pisze po polsku.",
}
LANG_USAGE: dict[LanguageCode, str] = {
    "cs": "Použití: /lang cs, /lang de nebo /lang pl. Teď: {current}.",
    "de": "Verwendung: /lang cs, /lang de oder /lang pl. Jetzt: {current}.",
    "pl": "Użycie: /lang cs, /lang de lub /lang pl. Teraz: {current}.",
}
TRANSLATE_USAGE: dict[LanguageCode, str] = {
    "cs": "Použití: /translate de Dobrý den (cílový jazyk cs, de nebo pl, pak text).",
    "de": "Verwendung: /translate cs Guten Tag (Zielsprache cs, de oder pl, dann der Text).",
    "pl": "Użycie: /translate de Dzień dobry (język docelowy cs, de lub pl, potem tekst).",
}
TEXT_TOO_LONG: dict[LanguageCode, str] = {
    "cs": "Zpráva je příliš dlouhá (nejvýše {limit} znaků).",
    "de": "Die Nachricht ist zu lang (höchstens {limit} Zeichen).",
    "pl": "Wiadomość jest za długa (najwyżej {limit} znaków).",
}
ASSISTANT_DOWN: dict[LanguageCode, str] = {
    "cs": "Asistent je právě nedostupný. Zkuste to prosím za chvíli znovu.",
    "de": "Der Assistent ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.",
    "pl": "Asystent jest chwilowo niedostępny. Spróbuj ponownie za chwilę.",
}
TRANSLATION_DOWN: dict[LanguageCode, str] = {
    "cs": "Překladová služba je právě nedostupná. Zkuste to prosím za chvíli znovu.",
    "de": "Der Übersetzungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.",
    "pl": "Usługa tłumaczenia jest chwilowo niedostępna. Spróbuj ponownie za chwilę.",
}
ONLY_TEXT: dict[LanguageCode, str] = {
    "cs": "Rozumím jen textovým zprávám. Napište mi prosím otázku.",
    "de": "Ich verstehe nur Textnachrichten. Bitte schreiben Sie mir Ihre Frage.",
    "pl": "Rozumiem tylko wiadomości tekstowe. Napisz mi proszę pytanie.",
}
NO_ANSWER: dict[LanguageCode, str] = {
    "cs": "Na to nemám odpověď. Zkuste otázku položit jinak, nebo napište /help.",
    "de": "Darauf habe ich keine Antwort. Formulieren Sie die Frage bitte anders, oder schreiben Sie /help.",
    "pl": "Nie mam na to odpowiedzi. Spróbuj zadać pytanie inaczej albo napisz /help.",
}
SOURCE_LABEL: dict[LanguageCode, str] = {"cs": "Zdroj", "de": "Quelle", "pl": "Źródło"}

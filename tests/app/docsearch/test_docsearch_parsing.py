"""Cleaning, headings, passages and offsets of docsearch's parser (no embeddings: fast)."""

from __future__ import annotations

from docsearch.metadata import date_from_file_name, date_from_text, title_from_file_name
from docsearch.parsing import clean_inline, document_units, parse_document
from textkit import fold, search_terms, sentence_spans, stems

MESSY = (
    "**PLÁN ÚDRŽBY SILNIC**\n"
    "\n"
    "Obsah\n"
    "\n"
    "1.\tÚVOD\t3\n"
    "2.\tPRIORITY\t4\n"
    "2.1.\tZIMNÍ ÚDRŽBA\t5\n"
    "\n"
    "1. Úvod\n"
    "\n"
    "Plán připravil **odbor dopravy** podle [zákona o silnicích](#). Platí od 1. 11. 2024 do 31. 3. 2025.\n"
    "\n"
    "2. Priority\n"
    "\n"
    "2.1. Zimní údržba\n"
    "\n"
    "Silnice I. třídy\u00a0mají přednost\u2013vždy.\n"
    "- první bod\n"
    "• druhý bod\n"
    "▪ třetí bod\n"
    "\n"
    "Úsek\tDélka\tCena\n"
    "<p>Liberec – Jablonec</p>\t<p>12 km</p>\t<p>4 mil. Kč</p>\n"
    "\n"
    "1. Výroční zpráva\n"
    "\n"
    "Zprávu schvaluje rada. Radě ji předkládá <i>koordinátor</i>.\n"
    "\n"
    "3. Rozpočet\n"
    "\n"
    "Rozpočet je s c h v á l e n.\n"
)


def test_markup_is_stripped_and_table_rows_stay_readable() -> None:
    parsed = parse_document(MESSY)
    text = "\n".join(passage.text for passage in parsed.passages)
    assert "**" not in text and "](#)" not in text and "<p>" not in text and "<i>" not in text
    assert "Plán připravil odbor dopravy podle zákona o silnicích." in text
    assert "\u00a0" not in text
    assert "Liberec – Jablonec | 12 km | 4 mil. Kč" in text
    assert "Úsek | Délka | Cena" in text
    assert "první bod" in text and "druhý bod" in text and "třetí bod" in text
    assert "•" not in text and "▪" not in text
    assert "schválen" in text  # letter-spaced emphasis is joined back into a word


def test_table_of_contents_with_page_numbers_is_dropped() -> None:
    parsed = parse_document(MESSY)
    assert not any("\t" in passage.text or passage.text.endswith(" 3") for passage in parsed.passages)
    assert parsed.headings.count("1. Úvod") == 1


def test_numbered_sections_build_the_heading_path() -> None:
    parsed = parse_document(MESSY)
    by_text = {passage.text[:20]: passage for passage in parsed.passages}
    # Numbered chapters are the top level: the bold title above them names the document, not a section.
    assert by_text["Silnice I. třídy maj"].section == "2. Priority > 2.1. Zimní údržba"
    assert by_text["Plán připravil odbor"].section == "1. Úvod"
    # "1. Výroční zpráva" inside chapter 2 is a list item, not a new chapter 1; "3. Rozpočet" is the next one.
    assert "1. Výroční zpráva" not in parsed.headings
    assert by_text["Rozpočet je schválen"].section == "3. Rozpočet"
    assert parsed.title == "PLÁN ÚDRŽBY SILNIC"


def test_all_caps_and_short_title_lines_are_headings() -> None:
    minutes = "VIZE\n\nVoda\n\nPitná voda je dostupná všude.\n\nNÁVRHY\n\n- Nová čistírna odpadních vod\n"
    parsed = parse_document(minutes)
    sections = [passage.section for passage in parsed.passages]
    assert sections == ["VIZE > Voda", "NÁVRHY"]


def test_passages_are_slices_of_the_normalised_text() -> None:
    parsed = parse_document(MESSY)
    assert parsed.passages
    for passage in parsed.passages:
        assert parsed.text[passage.start : passage.end] == passage.text
        for start, end in passage.sentences:
            assert passage.text[start:end].strip() == passage.text[start:end]
    # Markup is gone from the normalised text too, and headings are lines of it.
    assert "**" not in parsed.text and "<p>" not in parsed.text
    assert "\n2.1. Zimní údržba\n" in parsed.text


def test_long_paragraphs_are_cut_at_sentence_ends_with_exact_offsets() -> None:
    sentence = "Kraj podporuje obce při obnově návsí a veřejných prostranství ve venkovských oblastech. "
    parsed = parse_document("DOTACE\n\n" + sentence * 12)
    assert len(parsed.passages) >= 2
    for passage in parsed.passages:
        assert parsed.text[passage.start : passage.end] == passage.text
        assert passage.text.startswith("Kraj") and passage.text.endswith("oblastech.")
        assert len(passage.text) <= 2 * 450


def test_clean_inline_keeps_the_text_inside_markup() -> None:
    assert clean_inline("ab **cd** [ef](#)") == "ab cd ef"
    assert clean_inline("  <b>Tučně</b> a *kurzíva* , pak&nbsp;konec .  ") == "Tučně a kurzíva, pak konec."
    assert clean_inline("Úsek\t\t<p>Délka</p>\t ; \tCena ;") == "Úsek | Délka | Cena"
    assert clean_inline("Úsek\t ; \t\tCena") == "Úsek | Cena"  # empty cells disappear


def test_html_page_headings_and_lists() -> None:
    page = (
        "<html><head><title>Dotace</title><style>p {color: red}</style></head><body>"
        "<h1>Dotace na kotle</h1><p>Kraj přispívá na výměnu kotlů.</p>"
        "<h2>Kdo může žádat</h2><ul><li>vlastník domu</li><li>obec</li></ul></body></html>"
    )
    parsed = parse_document(page, is_html=True)
    assert parsed.headings == ["Dotace na kotle", "Kdo může žádat"]
    assert parsed.passages[1].section == "Dotace na kotle > Kdo může žádat"
    assert "vlastník domu" in parsed.passages[1].text and "color" not in parsed.passages[0].text
    first = parsed.passages[0]
    assert parsed.text[first.start : first.end] == first.text == "Kraj přispívá na výměnu kotlů."
    units = document_units(page, is_html=True)
    assert [(unit.text, unit.kind) for unit in units] == [
        ("Dotace na kotle", "heading"),
        ("Kraj přispívá na výměnu kotlů.", "text"),
        ("Kdo může žádat", "heading"),
        ("vlastník domu", "item"),
        ("obec", "item"),
    ]


def test_dates_from_file_names_and_text() -> None:
    assert date_from_file_name("2019-02-26_koncepce.txt") == "2019-02-26"
    assert date_from_file_name("2024-2026_akcni-plan.txt") == "2024-2026"
    assert date_from_file_name("zapis.txt") == ""
    assert date_from_file_name("2019-13-40_x.txt") == ""
    assert date_from_text("Zasedání dne 26.02.2019 v Liberci") == "2019-02-26"
    assert date_from_text("Datum: 19. 5. 2026 od 13 hodin") == "2026-05-19"
    assert date_from_text("Setkání – KÚ LK, 24. listopad 2022") == "2022-11-24"
    assert title_from_file_name("2024-2026_akcni-plan-II.txt") == "Akcni plan II"


def test_sentences_do_not_split_after_abbreviations_and_dates() -> None:
    text = "Usnesení č. 260/19/RK ze dne 2. 5. 2018 předložil Mgr. Novák. Druhá věta následuje."
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [
        "Usnesení č. 260/19/RK ze dne 2. 5. 2018 předložil Mgr. Novák.",
        "Druhá věta následuje.",
    ]


def test_search_terms_fold_diacritics_dashes_and_inflection() -> None:
    assert fold("ŘÍDICÍ – skupina") == "ridici - skupina"
    assert search_terms("Koncepce zastupitelstvem") == search_terms("koncepce zastupitelstvo")
    # Without diacritics simplemma may not know the word; the 5-letter stems still agree.
    assert stems(search_terms("schválená")) == stems(search_terms("schvalena"))
    assert "cz-de-pl" not in search_terms("CZ–DE–PL")  # dashes split words the same way as hyphens
    assert search_terms("CZ–DE–PL") == search_terms("CZ-DE-PL")

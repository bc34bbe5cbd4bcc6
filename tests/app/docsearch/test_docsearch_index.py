"""The SQLite index on small files of every supported type: ingestion, re-indexing, broken files, CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest

from docsearch import DocumentIndex
from docsearch.answer import _labelled

REPO_ROOT = Path(__file__).resolve().parents[3]

MARKDOWN = """# Zimní údržba silnic

## Kdo uklízí

Silnice druhé a třetí třídy uklízí krajská správa silnic. Chodníky uklízí obec.

## Kdy se solí

Solí se jen na hlavních tazích, a to při teplotě pod nulou.
"""

HTML = """<html><head><title>Kotlíková dotace</title></head><body>
<h1>Kotlíková dotace</h1>
<p>Kraj přispívá na výměnu starého kotle na tuhá paliva za tepelné čerpadlo.</p>
<h2>Výše příspěvku</h2>
<ul><li>tepelné čerpadlo: 100&nbsp;000 Kč</li><li>kotel na biomasu: 80&nbsp;000 Kč</li></ul>
</body></html>
"""


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with Helvetica text, built by hand (correct xref offsets) so no PDF writer is needed."""
    content = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    output = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(output))
        output += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref_at = len(output)
    output += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    output += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    output += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
    return output


def write_docx(path: Path) -> None:
    document = docx.Document()
    document.add_heading("Jizdenky v kraji", level=1)
    document.add_paragraph("Jizdenka IDOL plati ve vlacich i autobusech v celem kraji.")
    document.add_heading("Ceny", level=2)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Jizdenka", "Cena"
    table.cell(1, 0).text, table.cell(1, 1).text = "Denni", "120 Kc"
    document.save(str(path))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "2025-03-01_udrzba.md").write_text(MARKDOWN, encoding="utf-8")
    (documents / "kotle.html").write_text(HTML, encoding="utf-8")
    (documents / "2024-2025_pravidla-ztraty.pdf").write_bytes(
        minimal_pdf(["Ztraty a nalezy", "Nalezene veci se odevzdavaji na podatelne krajskeho uradu."])
    )
    write_docx(documents / "jizdenky.docx")
    (documents / "poznamka.txt").write_text("Porada se konala dne 3. 4. 2025 v Liberci.\n", encoding="utf-8")
    (documents / "README.md").write_text("This folder holds test files.\n", encoding="utf-8")
    (documents / "obrazek.png").write_bytes(b"\x89PNG not a document")
    return documents


def open_index(tmp_path: Path) -> DocumentIndex:
    return DocumentIndex.open(tmp_path / "var" / "index.sqlite")


def test_every_supported_type_is_indexed_with_titles_dates_sections(folder: Path, tmp_path: Path) -> None:
    with open_index(tmp_path) as index:
        report = index.update([folder], progress=False, documents_info={})
        assert report.skipped == []
        assert sorted(report.added) == [
            "2024-2025_pravidla-ztraty.pdf",
            "2025-03-01_udrzba.md",
            "jizdenky.docx",
            "kotle.html",
            "poznamka.txt",
        ]
        documents = {doc["file"]: doc for doc in index.documents()}
        assert documents["2025-03-01_udrzba.md"] == {
            "file": "2025-03-01_udrzba.md",
            "title": "Zimní údržba silnic",
            "date": "2025-03-01",
        }
        assert documents["kotle.html"]["title"] == "Kotlíková dotace"
        assert documents["2024-2025_pravidla-ztraty.pdf"]["date"] == "2024-2025"
        assert documents["jizdenky.docx"]["title"] == "Jizdenky v kraji"
        assert documents["poznamka.txt"]["date"] == "2025-04-03"

        hit = index.search("Kdo uklízí chodníky?", lang="cs", k=1)[0]
        assert hit.file == "2025-03-01_udrzba.md"
        assert hit.section == "Zimní údržba silnic > Kdo uklízí"
        assert index.document_text(hit.file)[hit.start : hit.end] == hit.text
        assert "Chodníky uklízí obec." in index.context(hit)

        html_hit = index.search("Kolik dostanu na tepelné čerpadlo?", lang="cs", k=1)[0]
        assert html_hit.file == "kotle.html" and "100 000 Kč" in html_hit.text
        assert html_hit.section == "Kotlíková dotace > Výše příspěvku"
        assert "tepelné čerpadlo" in index.document_text("kotle.html")[html_hit.start : html_hit.end]

        pdf_hit = index.search("Kam odevzdat nalezene veci?", lang="cs", k=1)[0]
        assert pdf_hit.file == "2024-2025_pravidla-ztraty.pdf" and "podatelne" in pdf_hit.text

        docx_hit = index.search("Kolik stoji denni jizdenka?", lang="cs", k=1)[0]
        assert docx_hit.file == "jizdenky.docx" and "Denni | 120 Kc" in docx_hit.text
        assert docx_hit.section == "Jizdenky v kraji > Ceny"


def test_unchanged_rerun_changed_file_and_removed_file(folder: Path, tmp_path: Path) -> None:
    with open_index(tmp_path) as index:
        first = index.update([folder], progress=False, documents_info={})
        assert len(first.added) == 5

        again = index.update([folder], progress=False, documents_info={})
        assert again.added == again.updated == again.removed == [] and again.passages == 0
        assert len(again.unchanged) == 5

        (folder / "poznamka.txt").write_text(
            "Porada se přesunula na 10. 4. 2025 do Turnova.\n", encoding="utf-8"
        )
        (folder / "kotle.html").unlink()
        changed = index.update([folder], progress=False, documents_info={})
        assert changed.updated == ["poznamka.txt"] and changed.removed == ["kotle.html"]
        assert changed.added == [] and len(changed.unchanged) == 3
        hits = index.search("Kde se koná porada?", lang="cs", k=5)
        assert all(hit.file != "kotle.html" for hit in hits)
        assert any("Turnova" in hit.text for hit in hits)
        assert not any("v Liberci" in hit.text and hit.file == "poznamka.txt" for hit in hits)


def test_a_broken_file_is_skipped_with_its_name_and_the_rest_indexed(folder: Path, tmp_path: Path) -> None:
    (folder / "rozbity.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (folder / "prazdny.docx").write_bytes(b"PK\x03\x04 broken zip")
    with open_index(tmp_path) as index:
        report = index.update([folder], progress=False, documents_info={})
    assert len(report.added) == 5
    assert len(report.skipped) == 2
    assert any("rozbity.pdf" in message for message in report.skipped)
    assert any("prazdny.docx" in message for message in report.skipped)


def test_titles_and_dates_come_from_documents_yml_when_it_describes_the_file(
    folder: Path, tmp_path: Path
) -> None:
    from docsearch.metadata import load_documents_yml

    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    (knowledge / "documents.yml").write_text(
        "- file: poznamka.txt\n"
        "  title: {cs: Zápis z porady, de: Protokoll, pl: Protokół}\n"
        "  date: '2025-04-01'\n",
        encoding="utf-8",
    )
    info = load_documents_yml(knowledge)
    assert load_documents_yml(tmp_path / "missing") == {}
    with open_index(tmp_path) as index:
        index.update([folder], progress=False, documents_info=info)
        hit = index.search("Wann war die Sitzung?", lang="de", k=5)
        note = next(h for h in hit if h.file == "poznamka.txt")
        assert note.title == "Protokoll" and note.date == "2025-04-01"
        assert note.source() == {
            "title": "Protokoll",
            "file": "poznamka.txt",
            "section": "",
            "date": "2025-04-01",
            "url": "",
        }


def run_cli(*args: str, env_index: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "docsearch", "--index", str(env_index), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "KNOWLEDGE_DIR": str(env_index.parent / "no-knowledge")},
    )


def test_cli_errors_are_clean_messages(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.sqlite"
    result = run_cli("search", "kotle", env_index=missing)
    assert result.returncode == 1
    assert "no document index" in result.stderr and "Traceback" not in result.stderr

    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"this is not sqlite" * 100)
    result = run_cli("index", str(tmp_path), env_index=broken)
    assert result.returncode == 1 and "cannot open the document index" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_index_names_skipped_files_and_missing_folders(folder: Path, tmp_path: Path) -> None:
    (folder / "rozbity.pdf").write_bytes(b"%PDF-1.4 garbage")
    index_file = tmp_path / "cli.sqlite"
    result = run_cli(
        "index", "--no-progress", str(folder), str(tmp_path / "nonexistent"), env_index=index_file
    )
    assert result.returncode == 0, result.stderr
    assert "rozbity.pdf" in result.stderr and "nonexistent: no such folder" in result.stderr
    assert "5 added" in result.stdout


def test_an_index_of_an_older_schema_is_refused_for_search_and_rebuilt_by_indexing(
    folder: Path, tmp_path: Path
) -> None:
    import sqlite3

    from docsearch import IndexUnavailable

    path = tmp_path / "old.sqlite"
    with DocumentIndex.open(path) as index:
        index.update([folder], progress=False, documents_info={})
        generation = index.store.generation()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    with pytest.raises(IndexUnavailable, match="schema 1"):
        DocumentIndex.open(path, create=False)
    with DocumentIndex.open(path, rebuild_outdated=True) as index:
        report = index.update([folder], progress=False, documents_info={})
        assert len(report.added) == 5 and report.embedded == 0  # the embedding cache survived the rebuild
        assert int(index.store.generation()) > int(generation)  # processes holding the old index reload it


def test_a_short_passage_is_quoted_whole_and_a_list_comes_with_its_introduction(tmp_path: Path) -> None:
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "plan.txt").write_text(
        "Akční plán kraje\n\n"
        "VIZE\n\n"
        "Kraj má dostatek pitné vody pro všechny obyvatele. S vodou se hospodaří šetrně.\n\n"
        "PILOTNÍ PROJEKTY\n\n"
        "Plán obsahoval tyto pilotní projekty, které kraj připravil a vyhodnotil v průběhu tří let "
        "společně s partnery a odbory úřadu, a to s ohledem na potřeby obyvatel a možnosti rozpočtu. "
        "Na jejich přípravě se podílely odbory úřadu, organizace kraje i partneři z regionu, kteří pomohli "
        "vybrat projekty s nejvyšším přínosem pro obyvatele. První akční plán obsahoval konkrétní aktivity "
        "ve vybraných třech pilotních projektech:\n"
        "- Sběr dopravních dat\n- Energetický management\n- Hospodaření s vodou\n",
        encoding="utf-8",
    )
    with open_index(tmp_path) as index:
        index.update([documents], progress=False, documents_info={})
        passages = index.passages()
        vision = next(p for p in passages if p["text"].startswith("Kraj má dostatek pitné vody"))
        # Both sentences of the short vision, not only the one closest to the question.
        answer = index.answer("Jaká je vize pro hospodaření s pitnou vodou?", "cs")
        # (A close runner-up may follow after " … " with its own source; the best passage comes first, whole,
        # under its short heading: the label says what the sentences are.)
        assert answer is not None and answer.quote.split(" … ")[0] == "VIZE: " + vision["text"]
        # The chunker cut the list after its introduction: the items of the next passage come with it.
        assert any(
            p["text"].rstrip().endswith("projektech:") or "projektech:\n" in p["text"] for p in passages
        )
        listed = index.answer("Které pilotní projekty obsahoval první akční plán?", "cs")
        assert listed is not None
        for item in ("Sběr dopravních dat", "Energetický management", "Hospodaření s vodou"):
            assert item in listed.quote
        assert listed.quote.split()[0][0].isupper()  # whole sentences, never a fragment


@pytest.mark.parametrize(
    ("section", "quote", "expected"),
    [
        ("5. Implementace > Rada kraje", "Schvaluje zprávy.", "Rada kraje: Schvaluje zprávy."),
        ("5. Implementace", "Schvaluje zprávy.", "Schvaluje zprávy."),  # a numbered chapter is no label
        ("Plán > " + "Velmi dlouhý nadpis kapitoly " * 3, "Text.", "Text."),  # nor a long heading
        ("Plán > Rada kraje", "Rada kraje schvaluje zprávy.", "Rada kraje schvaluje zprávy."),  # already said
        ("", "Text.", "Text."),
    ],
)
def test_a_quote_stands_under_its_short_heading(section: str, quote: str, expected: str) -> None:
    assert _labelled(section, quote) == expected

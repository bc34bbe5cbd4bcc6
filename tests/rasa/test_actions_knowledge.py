"""The knowledge files load, carry what the documents say, and a bad file stops with file, entry and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from rasa_action_helpers import CORPUS_DIR, REPO_ROOT

from actions.knowledge import KnowledgeError, load_knowledge, main

KNOWLEDGE_DIR = REPO_ROOT / "knowledge"


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def edit(directory: Path, file_name: str, change: object) -> None:
    path = directory / file_name
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(entries)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")


def test_real_knowledge_loads_with_every_kind() -> None:
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    assert len(knowledge.documents) == 5
    assert {
        "arr",
        "lipoink",
        "investuj_pod_jestedem",
        "smart_akcelerator",
        "kristalove_udoli",
        "dobrovolnicke_centrum",
        "zdravy_kraj_ma21",
        "dotacni_fond",
        "regional_development_department",
    } <= set(knowledge.services)
    assert {grant.code for grant in knowledge.grants.values()} == {"2.6", "2.8"}


def test_ma21_grant_has_the_figures_of_the_slides() -> None:
    grant = load_knowledge(KNOWLEDGE_DIR).grants["df_2_6_ma21"]
    assert (grant.year, grant.allocation_czk, grant.projects_supported) == (2022, 690230, 13)
    assert grant.applicants is None  # the slides do not say who may apply


def test_documents_file_has_the_shape_docsearch_reads() -> None:
    entries = yaml.safe_load((KNOWLEDGE_DIR / "documents.yml").read_text(encoding="utf-8"))
    for entry in entries:
        assert set(entry) == {"file", "title", "date", "summary"}
        assert set(entry["title"]) == set(entry["summary"]) == {"cs", "de", "pl"}


@pytest.mark.skipif(not CORPUS_DIR.is_dir(), reason="corpus not available")
def test_every_corpus_file_has_a_documents_entry() -> None:
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    corpus_files = {path.name for path in CORPUS_DIR.iterdir() if path.suffix == ".txt"}
    assert corpus_files == set(knowledge.documents)


def test_urls_only_where_the_documents_give_them() -> None:
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    urls = {service.url for service in knowledge.services.values() if service.url}
    urls |= {contact.url for contact in knowledge.contacts.values() if contact.url}
    if CORPUS_DIR.is_dir():
        corpus_text = "".join(path.read_text(encoding="utf-8") for path in CORPUS_DIR.glob("*.txt"))
        assert all(url in corpus_text for url in urls)


def test_missing_field_names_file_entry_and_field(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "services.yml", lambda entries: entries[1].pop("description"))
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(knowledge_copy)
    assert "services.yml" in str(error.value)
    assert "entry #2 (lipoink)" in str(error.value)
    assert "'description'" in str(error.value)


def test_missing_language_is_reported(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "grants.yml", lambda entries: entries[0]["purpose"].pop("pl"))
    with pytest.raises(KnowledgeError, match=r"grants.yml: entry #1 \(df_2_6_ma21\): field 'purpose.pl'"):
        load_knowledge(knowledge_copy)


def test_unknown_contact_and_source_are_reported(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "services.yml", lambda entries: entries[0].update(contact="nobody"))
    with pytest.raises(KnowledgeError, match=r"field 'contact': 'nobody' is not an id in contacts.yml"):
        load_knowledge(knowledge_copy)


def test_source_must_be_a_listed_document(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "grants.yml", lambda entries: entries[1].update(sources=["made-up.txt"]))
    with pytest.raises(KnowledgeError, match=r"grants.yml: .*field 'sources\[0\]': 'made-up.txt'"):
        load_knowledge(knowledge_copy)


def test_facts_must_carry_the_figures(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "grants.yml", lambda entries: entries[0].update(allocation_czk=700000))
    with pytest.raises(KnowledgeError, match=r"field 'facts.cs': does not mention allocation_czk = 700000"):
        load_knowledge(knowledge_copy)


def test_typo_in_field_name_is_reported(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "contacts.yml", lambda entries: entries[0].update(emial="x@example.org"))
    with pytest.raises(
        KnowledgeError, match=r"contacts.yml: entry #1 \(ma21_coordinator\): field 'emial': unknown"
    ):
        load_knowledge(knowledge_copy)


def test_bad_date_and_bad_phone(knowledge_copy: Path) -> None:
    edit(knowledge_copy, "documents.yml", lambda entries: entries[0].update(date="26. 2. 2019"))
    with pytest.raises(KnowledgeError, match=r"documents.yml: .*field 'date': expected YYYY-MM-DD"):
        load_knowledge(knowledge_copy)


def test_check_command_exit_codes(knowledge_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--dir", str(knowledge_copy), "--corpus", str(CORPUS_DIR)]) == 0
    assert "knowledge OK" in capsys.readouterr().out
    edit(knowledge_copy, "contacts.yml", lambda entries: entries[0].update(phones=["call me"]))
    assert main(["check", "--dir", str(knowledge_copy)]) == 1
    assert "contacts.yml: entry #1 (ma21_coordinator): field 'phones[0]'" in capsys.readouterr().err


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_knowledge(tmp_path / "nowhere")

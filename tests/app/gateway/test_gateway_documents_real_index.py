"""/api/documents/search against the real docsearch package and a small index built in the test."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gateway.dependencies import get_document_search, get_language_guesser
from gateway.document_search import DocumentSearch
from gateway.language import LanguageGuesser
from gateway.main import app

docsearch = pytest.importorskip("docsearch")

# A made-up document in the style of a regional plan (not from the corpus), with one clear fact.
PLAN_TEXT = """Plán cyklistických tras Libereckého kraje 2025

1 Úvod
Kraj chce propojit města v údolí Nisy souvislou sítí cyklostezek a zlepšit bezpečnost cyklistů.

2 Financování
Na výstavbu nové cyklostezky mezi Libercem a Jabloncem nad Nisou kraj vyčlenil 48 milionů korun.
Stavba má začít na jaře 2025 a skončit na podzim 2026.

3 Údržba
O údržbu cyklostezek v zimě se starají obce, kraj jim na ni přispívá ze svého rozpočtu.
"""


@pytest.fixture(scope="module")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("documents")
    (folder / "2025-01-10_plan-cyklotras.txt").write_text(PLAN_TEXT, encoding="utf-8")
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    with docsearch.DocumentIndex.open(path) as index:
        index.update([folder], progress=False, documents_info={})
    return path


@pytest.fixture
def client(index_path: Path) -> Iterator[TestClient]:
    document_search = DocumentSearch(index_path)
    app.dependency_overrides[get_document_search] = lambda: document_search
    app.dependency_overrides[get_language_guesser] = LanguageGuesser
    yield TestClient(app)
    app.dependency_overrides.clear()
    document_search.close()


def test_a_question_finds_the_passage_with_the_fact(client: TestClient) -> None:
    question = "Kolik peněz jde na cyklostezku do Jablonce?"
    response = client.get("/api/documents/search", params={"q": question})
    assert response.status_code == 200
    body = response.json()
    assert body["results"], body
    best = body["results"][0]
    assert "48 milionů" in best["text"]
    assert best["file"] == "2025-01-10_plan-cyklotras.txt"
    assert isinstance(best["start"], int) and best["end"] > best["start"]


def test_k_limits_the_number_of_results(client: TestClient) -> None:
    body = client.get("/api/documents/search", params={"q": "cyklostezky", "k": 1}).json()
    assert len(body["results"]) == 1

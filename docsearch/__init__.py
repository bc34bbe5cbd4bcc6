"""Document ingestion, hybrid search and answers for officials' questions.

from docsearch import DocumentIndex
index = DocumentIndex.open("var/index.sqlite")
index.update(["knowledge", "../shared/corpus"])
index.search("Na jaké roky je akční plán?", lang="cs", k=5)   # -> list[Hit]
index.answer("Welche Ziele hat das Konzept?", lang="de")        # -> Answer | None
"""

from docsearch.answer import Answer
from docsearch.errors import DocsearchError, IndexUnavailable, ReadError
from docsearch.index import DocumentIndex
from docsearch.ingest import UpdateReport
from docsearch.search import Hit

__all__ = [
    "Answer", "DocsearchError", "DocumentIndex", "Hit", "IndexUnavailable", "ReadError", "UpdateReport",
]  # fmt: skip

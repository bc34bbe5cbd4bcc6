"""Document ingestion and hybrid search for officials' questions.

from docsearch import DocumentIndex
index = DocumentIndex.open("var/index.sqlite")
index.update(["knowledge", "../shared/corpus"])
index.search("Na jaké roky je akční plán?", lang="cs", k=5)   # -> list[Hit]
index.answer("Welche Ziele hat das Konzept?", lang="de")        # -> Answer | None
"""

from docsearch.index import Answer, DocumentIndex, Hit, IndexError_, UpdateReport

__all__ = ["Answer", "DocumentIndex", "Hit", "IndexError_", "UpdateReport"]

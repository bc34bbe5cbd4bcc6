"""GET /api/documents/search: hybrid search over the regional documents."""

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from gateway.dependencies import DocumentSearchDep, LanguageGuesserDep
from gateway.document_search import DocumentIndexUnavailable
from gateway.language import DEFAULT_LANGUAGE
from gateway.schemas import HAS_TEXT, DocumentSearchResponse

router = APIRouter(prefix="/api/documents", tags=["documents"])

MAX_QUERY_CHARS = 1_000
MAX_RESULTS = 50


@router.get(
    "/search",
    response_model=DocumentSearchResponse,
    responses={422: {"description": "Empty query or bad k"}, 503: {"description": "No document index"}},
)
async def search_documents(
    document_search: DocumentSearchDep,
    language_guesser: LanguageGuesserDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=MAX_QUERY_CHARS, pattern=HAS_TEXT, description="The question"),
    ],
    lang: Literal["cs", "de", "pl", "auto"] = "auto",
    k: Annotated[int, Query(ge=1, le=MAX_RESULTS, description="How many passages")] = 5,
) -> DocumentSearchResponse:
    query = q.strip()
    if not query:
        raise HTTPException(status_code=422, detail="q must not be empty")
    language = language_guesser.detect(query) or DEFAULT_LANGUAGE if lang == "auto" else lang
    try:
        return await document_search.search(query, language, k)
    except DocumentIndexUnavailable as error:
        raise HTTPException(status_code=503, detail=error.reason) from error

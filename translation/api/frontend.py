"""GET /frontend/settings: what LibreTranslate's web page and clients ask before they translate."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from translation.api.dependencies import SettingsDep
from translation.registry import LANGUAGES

router = APIRouter()


class LanguageRef(BaseModel):
    code: str
    name: str


class FrontendLanguages(BaseModel):
    source: LanguageRef
    target: LanguageRef


class FrontendSettings(BaseModel):
    """LibreTranslate's field names; the values describe this service (no keys, no files, no suggestions)."""

    charLimit: int
    frontendTimeout: int
    apiKeys: bool
    keyRequired: bool
    suggestions: bool
    filesTranslation: bool
    supportedFilesFormat: list[str]
    language: FrontendLanguages


@router.get("/frontend/settings", response_model=FrontendSettings)
async def frontend_settings(settings: SettingsDep) -> FrontendSettings:
    return FrontendSettings(
        charLimit=settings.max_chars,
        frontendTimeout=500,  # ms a typing user waits before the page translates
        apiKeys=False,
        keyRequired=False,
        suggestions=False,
        filesTranslation=False,
        supportedFilesFormat=[],
        language=FrontendLanguages(
            source=LanguageRef(code="auto", name="Auto Detect"),
            target=LanguageRef(code="de", name=LANGUAGES["de"]),
        ),
    )

"""Choose the provider the settings ask for."""

from __future__ import annotations

from learnpath.config import Settings
from learnpath.llm.client import LLMClient
from learnpath.llm.offline import OfflineProvider
from learnpath.llm.openai_compat import OpenAICompatProvider
from learnpath.llm.types import Provider


def build_provider(settings: Settings) -> Provider:
    if settings.provider == "openai":
        return OpenAICompatProvider(settings)
    return OfflineProvider(settings)


def build_client(settings: Settings) -> LLMClient:
    return LLMClient(build_provider(settings), settings)

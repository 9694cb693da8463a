"""Choose the provider the settings ask for."""

from __future__ import annotations

from learnpath.config import Settings
from learnpath.llm.client import LLMClient
from learnpath.llm.offline import OfflineProvider
from learnpath.llm.types import Provider


def build_provider(settings: Settings) -> Provider:
    if settings.provider == "openai":
        # Imported here: the openai SDK takes half a second to import, the offline path needs none.
        from learnpath.llm.openai_compat import OpenAICompatProvider

        return OpenAICompatProvider(settings)
    return OfflineProvider(settings)


def build_client(settings: Settings) -> LLMClient:
    return LLMClient(build_provider(settings), settings)

"""Choose the LLM provider the settings ask for: the offline one or an OpenAI-compatible one.

It lives above :mod:`learnpath.llm` and :mod:`learnpath.offline` so that neither imports the
other: the LLM layer knows providers only by the :class:`~learnpath.llm.types.Provider`
protocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from learnpath.config import Settings
from learnpath.llm.client import LLMClient
from learnpath.llm.types import Provider
from learnpath.offline.provider import OfflineProvider

if TYPE_CHECKING:
    from learnpath.llm.openai_compat import ModeMemory


def build_provider(settings: Settings, memory: ModeMemory | None = None) -> Provider:
    """``memory`` keeps the structured-output mode an endpoint was found to support."""
    if settings.provider == "openai":
        # Imported here: the openai SDK takes half a second to import, the offline path needs none.
        from learnpath.llm.openai_compat import OpenAICompatProvider

        return OpenAICompatProvider(settings, memory)
    return OfflineProvider(settings)


def build_client(settings: Settings, memory: ModeMemory | None = None) -> LLMClient:
    return LLMClient(build_provider(settings, memory), settings)

"""Which provider the settings pick, what it says of itself, and what the LLM layer imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import learnpath.llm
from learnpath.config import Settings
from learnpath.llm.openai_compat import OpenAICompatProvider
from learnpath.offline.provider import OfflineProvider
from learnpath.providers import build_client, build_provider


def test_the_offline_provider_is_the_default_and_writes_stand_in_material(tmp_path: Path) -> None:
    provider = build_provider(Settings(home=tmp_path))
    assert isinstance(provider, OfflineProvider)
    assert provider.synthetic and provider.free
    assert build_client(Settings(home=tmp_path)).provider.synthetic


def test_a_model_endpoint_is_not_synthetic(tmp_path: Path) -> None:
    provider = build_provider(Settings(home=tmp_path, llm_base_url="http://127.0.0.1:9/v1"))
    assert isinstance(provider, OpenAICompatProvider)
    assert not provider.synthetic


def test_the_llm_layer_imports_neither_agents_nor_the_offline_provider() -> None:
    """Providers are chosen above it (learnpath.providers); it knows them by their protocol."""
    imported: dict[str, set[str]] = {}
    for path in Path(learnpath.llm.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.setdefault(path.name, set()).add(node.module)
            elif isinstance(node, ast.Import):
                imported.setdefault(path.name, set()).update(a.name for a in node.names)
    assert imported, "no module of learnpath.llm was read"
    above = ("learnpath.agents", "learnpath.offline", "learnpath.providers", "learnpath.engine")
    wrong = {
        name: sorted(m for m in modules if m.startswith(above))
        for name, modules in imported.items()
        if any(m.startswith(above) for m in modules)
    }
    assert wrong == {}


def test_the_offline_path_does_not_import_the_openai_sdk() -> None:
    """The SDK takes half a second to import; a process on the offline provider never needs it."""
    code = "import sys, learnpath.wiring, learnpath.cli;sys.exit('openai' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0

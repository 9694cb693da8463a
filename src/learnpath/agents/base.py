"""What every agent is: a prompt template, an input model, an output schema, post-processing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from jinja2 import Environment, PackageLoader, StrictUndefined
from pydantic import BaseModel

from learnpath.domain.language import language_name
from learnpath.llm.client import CancelCheck, Generation, LLMClient, schema_instruction

In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("learnpath.agents", "prompts"),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        # The prompts ship with the package and never change under a running process: no
        # file is looked at again (two stat calls per model call otherwise).
        auto_reload=False,
    )
    env.filters["language_name"] = language_name
    return env


@cache
def _system_prompt(role: str, output_model: type[BaseModel]) -> str:
    """An agent's system prompt: its role and output schema, the same for every call."""
    schema = schema_instruction(output_model)
    return _templates().get_template("system.j2").render(role=role, schema=schema)


@dataclass(frozen=True)
class Agent(Generic[In, Out]):
    name: str
    role: str
    input_model: type[In]
    output_model: type[Out]
    postprocess: Callable[[In, Out], Out]

    def warm(self) -> None:
        """Compile the templates and render the system prompt now rather than on the first
        call."""
        _templates().get_template(f"{self.name}.j2")
        _system_prompt(self.role, self.output_model)

    def messages(self, data: In) -> list[dict[str, str]]:
        user = _templates().get_template(f"{self.name}.j2").render(**dict(data))
        return [
            {"role": "system", "content": _system_prompt(self.role, self.output_model)},
            {"role": "user", "content": user},
        ]

    async def run(
        self, client: LLMClient, data: In, should_cancel: CancelCheck | None = None
    ) -> Generation[Out]:
        generation = await client.generate(
            self.name,
            self.output_model,
            self.messages(data),
            data.model_dump(mode="json"),
            should_cancel,
        )
        return Generation(self.postprocess(data, generation.value), generation.calls)

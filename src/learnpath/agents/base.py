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


@dataclass(frozen=True)
class Agent(Generic[In, Out]):
    name: str
    role: str
    input_model: type[In]
    output_model: type[Out]
    postprocess: Callable[[In, Out], Out]

    def warm(self) -> None:
        """Compile the templates and the schema text now rather than on the first call."""
        env = _templates()
        env.get_template("system.j2")
        env.get_template(f"{self.name}.j2")
        schema_instruction(self.output_model)

    def messages(self, data: In) -> list[dict[str, str]]:
        env = _templates()
        system = env.get_template("system.j2").render(
            role=self.role, schema=schema_instruction(self.output_model)
        )
        user = env.get_template(f"{self.name}.j2").render(**dict(data))
        return [{"role": "system", "content": system}, {"role": "user", "content": user}]

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

"""What the loopback model (``model_server.py``) answers each learnpath agent: a small valid
roadmap for the learner's goal and budget, and short material for each concept.

The agent is known by the title of the JSON schema it asks for, read from ``response_format``
or, when the request carries none, from the schema in the system prompt, as a real model
reads it.
"""

from __future__ import annotations

import json
import re
from typing import Any


def answer_for(body: dict[str, Any]) -> str:
    messages = body.get("messages", [])
    system = next((m["content"] for m in messages if m.get("role") == "system"), "")
    user = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
    title = _schema_title(body, system)
    writer = _WRITERS.get(title)
    if writer is None:
        return json.dumps({"error": f"I do not know the schema {title!r}"})
    return json.dumps(writer(user))


def _schema_title(body: dict[str, Any], system: str) -> str:
    spec = (body.get("response_format") or {}).get("json_schema")
    if spec:
        return str(spec.get("name", ""))
    for line in system.splitlines():
        if line.startswith("{"):
            return str(json.loads(line).get("title", ""))
    return ""


def _line(prompt: str, pattern: str, default: str) -> str:
    match = re.search(pattern, prompt)
    return match.group(1).strip() if match else default


def _intent(prompt: str) -> dict[str, Any]:
    goal = _line(prompt, r"- goal: (.+)", "learn something")
    return {
        "normalized_goal": goal,
        "key_topics": ["foundations", "practice"],
        "technologies": [],
        "difficulty": "beginner",
        "time_budget": {
            "hours_per_week": 4,
            "weeks": 2,
            "total_hours": 8,
            "assessment": "The budget fits a short introduction.",
        },
        "skill_gaps": ["vocabulary"],
        "suggested_path": ["Learn the basics", "Practise"],
    }


def _framework(prompt: str) -> dict[str, Any]:
    if "Current roadmap framework:" in prompt:
        start = prompt.index("{", prompt.index("Current roadmap framework:"))
        current, _ = json.JSONDecoder().raw_decode(prompt, start)
        return dict(current)
    hours = float(_line(prompt, r"adding up to about ([0-9.]+)\s*hours", "8"))
    each = max(0.5, round(hours / 4, 1))

    def concept(cid: str, name: str, prerequisites: list[str]) -> dict[str, Any]:
        return {
            "concept_id": cid,
            "name": name,
            "description": f"What {name.lower()} is and how to use it.",
            "estimated_hours": each,
            "difficulty": "easy",
            "prerequisites": prerequisites,
            "keywords": [name.lower()],
        }

    return {
        "title": "A short roadmap",
        "summary": "Two stages from the basics to practice.",
        "stages": [
            {
                "stage_id": "basics",
                "name": "Basics",
                "modules": [
                    {
                        "module_id": "first-steps",
                        "name": "First steps",
                        "concepts": [
                            concept("terms", "Key terms", []),
                            concept("tools", "Tools", ["terms"]),
                        ],
                    }
                ],
            },
            {
                "stage_id": "practice",
                "name": "Practice",
                "modules": [
                    {
                        "module_id": "projects",
                        "name": "Projects",
                        "concepts": [
                            concept("small-project", "A small project", ["tools"]),
                            concept("review", "Review", ["small-project"]),
                        ],
                    }
                ],
            },
        ],
    }


def _concept(prompt: str) -> str:
    return _line(prompt, r"Concept: (.+?) \(", "the concept")


def _tutorial(prompt: str) -> dict[str, Any]:
    name = _concept(prompt)
    markdown = f"# {name}\n\n## The idea\n\n{name} explained step by step.\n\n## Recap\n\nDone."
    return {"markdown": markdown, "summary": f"An introduction to {name}.", "estimated_minutes": 30}


def _resources(prompt: str) -> dict[str, Any]:
    slug = re.sub(r"[^a-z0-9]+", "-", _concept(prompt).lower()).strip("-")
    kinds = ["article", "video", "documentation"]
    return {
        "resources": [
            {
                "title": f"{kind.title()} about {slug}",
                "url": f"https://example.org/{kind}/{slug}",
                "type": kind,
                "description": "A good place to start.",
                "relevance": 0.8,
            }
            for kind in kinds
        ]
    }


def _quiz(prompt: str) -> dict[str, Any]:
    name = _concept(prompt)
    return {
        "questions": [
            {
                "question_id": f"q{n}",
                "type": "single_choice",
                "question": f"Question {n} about {name}?",
                "options": ["This one", "That one", "Neither"],
                "correct": [0],
                "explanation": "The first option is right.",
                "difficulty": "easy",
            }
            for n in range(1, 5)
        ]
    }


_WRITERS = {
    "ModelCheck": lambda prompt: {"reply": "ready"},
    "IntentAnalysis": _intent,
    "FrameworkDraft": _framework,
    "Tutorial": _tutorial,
    "ResourceList": _resources,
    "Quiz": _quiz,
}

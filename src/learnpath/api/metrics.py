"""Prometheus metrics: live gauges kept by the app, database figures read at scrape time."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

from learnpath.domain.tasks import TaskStatus
from learnpath.service.metrics import figures
from learnpath.wiring import Runtime


class CostByModel(Collector):
    """``learnpath_llm_cost_usd_total{model}``: USD of every recorded call, a counter read
    from the database (it only grows), so every process reports the same figures."""

    def __init__(self) -> None:
        self.figures: list[tuple[str, float]] = []

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "learnpath_llm_cost_usd", "USD spent on model calls, by model", labels=["model"]
        )
        for model, cost in self.figures:
            family.add_metric([model], cost)
        yield family


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "learnpath_http_request_duration_seconds",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.sse_subscribers = Gauge(
            "learnpath_sse_subscribers", "Open SSE event streams", registry=self.registry
        )
        self.events_published = Counter(
            "learnpath_events_published_total",
            "Task events delivered to live subscribers of this process",
            registry=self.registry,
        )
        self.tasks = Gauge("learnpath_tasks", "Tasks by status", ["status"], registry=self.registry)
        self.llm_calls = Gauge(
            "learnpath_llm_calls",
            "LLM calls recorded, by agent and outcome",
            ["agent", "ok"],
            registry=self.registry,
        )
        self.llm_tokens = Gauge(
            "learnpath_llm_tokens",
            "LLM tokens recorded, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.llm_latency = Gauge(
            "learnpath_llm_latency_seconds_avg",
            "Mean LLM call latency, by agent",
            ["agent"],
            registry=self.registry,
        )
        self.cost = CostByModel()
        self.registry.register(self.cost)
        self.link_checks = Gauge(
            "learnpath_link_checks",
            "URLs by the outcome of their last link check (ok, dead, broken)",
            ["outcome"],
            registry=self.registry,
        )
        self.searches = Gauge(
            "learnpath_searches",
            "Distinct queries answered by each search provider (as cached)",
            ["provider"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "learnpath_queue_depth",
            "Content items waiting for a worker slot in this process",
            registry=self.registry,
        )

    async def refresh(self, rt: Runtime) -> None:
        """Read the durable figures (shared by every process) into the gauges."""
        found = await figures(rt)
        for status in TaskStatus:
            self.tasks.labels(status.value).set(found.tasks_by_status.get(status.value, 0))
        prompt = completion = 0
        for call in found.calls:
            self.llm_calls.labels(call.agent, str(call.ok).lower()).set(call.calls)
            prompt += call.prompt_tokens
            completion += call.completion_tokens
            if call.ok and call.mean_latency_ms is not None:
                self.llm_latency.labels(call.agent).set(call.mean_latency_ms / 1000)
        self.llm_tokens.labels("prompt").set(prompt)
        self.llm_tokens.labels("completion").set(completion)
        self.cost.figures = found.cost_by_model
        for outcome, count in found.link_outcomes.items():
            self.link_checks.labels(outcome).set(count)
        for provider, count in found.searches_by_provider.items():
            self.searches.labels(provider).set(count)
        self.queue_depth.set(found.queue_depth)

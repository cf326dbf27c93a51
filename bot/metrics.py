"""What an operator watches: Prometheus metrics for one server process (`GET /metrics`).

One `Metrics` per `Core`, on its own `CollectorRegistry` (never prometheus-client's global one):
tests build many apps in one process, and each must count only its own requests. Counters are
per process, as Prometheus expects (it sums replicas); the outbox gauges are read from the
database at scrape time, so every replica reports the same shared queue.

Labels never carry people's text or ids: routes are the aiohttp route patterns
(`/files/{kind}/{arg}`, not the signed path), verbs are registered verbs or `unknown`.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]

# Slack wants an answer within 3 s; the buckets are finer where acknowledgements live.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
HEARTBEAT_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Routes whose response is the platform's acknowledgement.
ACK_ROUTES = {"/slack/events": "slack", "/api/messages": "teams"}


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "copbot_http_requests",
            "HTTP requests served, by route pattern and status",
            ["route", "method", "status"],
            registry=r,
        )
        self.ack_seconds = Histogram(
            "copbot_ack_seconds",
            "Time to acknowledge a platform request (the HTTP response to Slack or Teams)",
            ["platform"],
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.commands = Counter(
            "copbot_commands", "Commands handled, by verb", ["verb"], registry=r
        )
        self.sends = Counter(
            "copbot_sends",
            "Outbox send attempts by platform and outcome "
            "(sent, rate_limited, retry, timeout, undeliverable, error)",
            ["platform", "outcome"],
            registry=r,
        )
        self.heartbeat_seconds = Histogram(
            "copbot_heartbeat_seconds",
            "Duration of one heartbeat's due jobs",
            buckets=HEARTBEAT_BUCKETS,
            registry=r,
        )
        self.heartbeat_failures = Counter(
            "copbot_heartbeat_job_failures", "Due jobs that raised", ["job"], registry=r
        )
        self.outbox = Gauge(
            "copbot_outbox_messages",
            "Outbox rows by state and platform (the shared queue, read at scrape time)",
            ["platform", "state"],
            registry=r,
        )
        self.dispatcher_lag = Gauge(
            "copbot_dispatcher_lag_seconds",
            "How long the most overdue pending message has been due (0 when none is)",
            registry=r,
        )

    # -- recording ------------------------------------------------------------------------------

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route=route, method=method, status=str(status)).inc()
        platform = ACK_ROUTES.get(route)
        if platform is not None and method == "POST":
            self.ack_seconds.labels(platform=platform).observe(seconds)

    def command(self, verb: str) -> None:
        self.commands.labels(verb=verb).inc()

    def send(self, platform: str, outcome: str) -> None:
        self.sends.labels(platform=platform, outcome=outcome).inc()

    # -- exposition -----------------------------------------------------------------------------

    def set_outbox(
        self, counts: list[tuple[str, str, int]], oldest_due: datetime | None, now: datetime
    ) -> None:
        """Refresh the queue gauges from `(state, platform, count)` rows read just now."""
        self.outbox.clear()
        for state, platform, count in counts:
            self.outbox.labels(platform=platform, state=state).set(count)
        lag = (now - oldest_due).total_seconds() if oldest_due is not None else 0.0
        self.dispatcher_lag.set(max(0.0, lag))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

"""Prometheus metrics of the HTTP layer, exported at /metrics."""

import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "mostrador_http_requests_total",
    "HTTP requests answered, by method, route and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "mostrador_http_request_duration_seconds",
    "Time to answer an HTTP request (until the response object is ready), by route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def _route(request) -> str:
    """The URL pattern, not the path, so ids don't explode the label set."""
    match = getattr(request, "resolver_match", None)
    return match.route if match is not None else "<unmatched>"


class RequestMetricsMiddleware:
    async_capable = True
    sync_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._observe(request, response, started)
        return response

    async def _acall(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        self._observe(request, response, started)
        return response

    @staticmethod
    def _observe(request, response, started: float) -> None:
        route = _route(request)
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()

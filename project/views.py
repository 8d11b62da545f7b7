import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.generic import TemplateView, View
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.status import system_status


class HealthView(APIView):
    """Liveness: the process answers. Engines are checked by /api/status."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("Health", {"status": serializers.CharField()})
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


def _company_of(user):
    return getattr(user, "company", None) if user.is_authenticated else None


class StatusView(APIView):
    """Open to monitors; signed in, `glpi` tells about the caller's company."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=OpenApiResponse(description="Version and the state of every engine")
    )
    def get(self, request: Request) -> Response:
        status = system_status(company=_company_of(request.user))
        return Response(status, status=200 if status["status"] == "ok" else 503)


class StatusPageView(TemplateView):
    template_name = "status.html"

    def get_context_data(self, **kwargs):
        status = system_status(company=_company_of(self.request.user))
        return {**super().get_context_data(**kwargs), "status": status}


class MetricsView(View):
    """Prometheus text; for staff sessions or `Authorization: Bearer <METRICS_TOKEN>`."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not _may_read_metrics(request):
            return HttpResponse(
                "Metrics need a staff session or the metrics token.\n",
                status=403,
                content_type="text/plain",
            )
        return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)


def _may_read_metrics(request: HttpRequest) -> bool:
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(header, f"Bearer {token}")

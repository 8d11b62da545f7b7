import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.factories import UserFactory


def test_health_answers_ok(anon_client, db):
    response = anon_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_status_reports_every_engine(anon_client, db):
    response = anon_client.get("/api/status")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"]
    for engine in ("database", "cache", "channel_layer", "broker"):
        assert body[engine]["ok"] is True, engine
        assert body[engine]["latency_ms"] >= 0
    assert body["broker"]["mode"] == "eager"
    assert body["llm"] == {"provider": "local", "connected": True}
    assert body["glpi"]["configured"] is False


@override_settings(
    CELERY_TASK_ALWAYS_EAGER=False,
    STATUS_CHECK_TIMEOUT_SECONDS=0.5,
)
def test_status_is_503_with_the_reason_when_the_broker_is_down(anon_client, db):
    from project.celery import app

    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = anon_client.get("/api/status")
    finally:
        app.conf.broker_url = "memory://"
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["broker"]["ok"] is False
    assert body["broker"]["error"]
    assert body["database"]["ok"] is True


def test_status_page_renders_the_same_checks(client, db):
    response = client.get("/status")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Database", "Cache", "Channellayer", "Broker", "LLM", "GLPI"):
        assert label in html


class TestMetrics:
    def test_anonymous_is_refused(self, client, db):
        assert client.get("/metrics").status_code == 403

    def test_staff_session_reads_prometheus_text(self, client, db):
        client.force_login(UserFactory(is_staff=True))
        client.get("/health")
        response = client.get("/metrics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        text = response.content.decode()
        assert (
            'mostrador_http_requests_total{method="GET",route="health",status="200"}'
            in text
        )
        assert "mostrador_http_request_duration_seconds_bucket" in text

    def test_non_staff_user_is_refused(self, client, db):
        client.force_login(UserFactory(is_staff=False))
        assert client.get("/metrics").status_code == 403

    @override_settings(METRICS_TOKEN="scrape-me")
    def test_token_grants_access(self, client, db):
        assert (
            client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me").status_code
            == 200
        )
        assert (
            client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
        )

    def test_routes_not_paths_are_labels(self, api_client, client, user):
        api_client.get(f"/api/users/{user.id}")
        client.force_login(UserFactory(is_staff=True))
        text = client.get("/metrics").content.decode()
        assert 'route="api/users/<int:user_id>"' in text


class TestApiDocs:
    def test_schema_generates_without_warnings(self, tmp_path):
        call_command(
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            tmp_path / "schema.yaml",
        )
        assert "/api/auth/login" in (tmp_path / "schema.yaml").read_text()

    @pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
    def test_docs_pages_render_with_bundled_assets(self, client, db, path):
        response = client.get(path)
        assert response.status_code == 200
        assert b"/static/drf_spectacular_sidecar/" in response.content

    def test_schema_is_served(self, client, db):
        response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.")

    def test_browsable_api_works_with_session_login(self, client, user):
        client.force_login(user)
        response = client.get("/api/users/me", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert user.username.encode() in response.content
        assert client.get("/api-auth/login/").status_code == 200


def test_errors_keep_drf_shape_for_unknown_methods(api_client):
    response = api_client.delete("/api/company")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"

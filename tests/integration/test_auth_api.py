"""Sign-in, token rotation, sign-out and tenancy through the real API on PostgreSQL."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def login(client: APIClient, username: str) -> dict:
    response = client.post(
        "/api/auth/login", {"username": username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_login_returns_tokens_and_the_user(anon_client, user):
    body = login(anon_client, user.username)

    assert body["access"] and body["refresh"]
    assert body["user"]["id"] == user.id
    assert body["user"]["company"]["id"] == user.company_id
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    response = me.get("/api/users/me")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_refresh_rotates_and_the_old_refresh_is_refused(anon_client, user):
    old = login(anon_client, user.username)["refresh"]

    response = anon_client.post("/api/auth/refresh", {"refresh": old})
    assert response.status_code == 200, response.content
    rotated = response.json()
    assert rotated["access"] and rotated["refresh"] != old

    assert anon_client.post("/api/auth/refresh", {"refresh": old}).status_code == 401
    again = anon_client.post("/api/auth/refresh", {"refresh": rotated["refresh"]})
    assert again.status_code == 200


def test_logout_then_refresh_is_refused(anon_client, user):
    refresh = login(anon_client, user.username)["refresh"]

    response = anon_client.post("/api/auth/logout", {"refresh": refresh})
    assert response.status_code == 205

    response = anon_client.post("/api/auth/refresh", {"refresh": refresh})
    assert response.status_code == 401


def test_another_companys_user_is_404(client_for, user, other_user):
    own = client_for(user).get(f"/api/users/{user.id}")
    assert own.status_code == 200

    response = client_for(other_user).get(f"/api/users/{user.id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

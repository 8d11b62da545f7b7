"""HTTP through Django's ASGI handler, the path daphne takes (the test client is WSGI)."""

import pytest
from django.conf import settings

from accounts.services import tokens_for_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


async def test_a_locked_out_sign_in_is_429_not_500(async_client, user):
    # Fixed: django-axes 8.3.1's async middleware passed the credentials dict where the
    # lockout callable expects the response, so under daphne this answered 500.
    wrong = {"username": user.username, "password": "not-the-password"}

    async def sign_in():
        return await async_client.post("/api/auth/login", wrong, "application/json")

    statuses = [
        (await sign_in()).status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429, statuses
    assert 500 not in statuses

    response = await sign_in()

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


@pytest.fixture
def auth_headers(user) -> dict:
    return {"Authorization": f"Bearer {tokens_for_user(user=user)['access']}"}


@pytest.mark.parametrize(
    "path", ["/api/users/{id}", "/api/roles/{role}", "/api/users/"]
)
async def test_options_answers_without_probing_objects(
    async_client, user, auth_headers, path
):
    # Fixed: DRF's default metadata called `get_object()` on views that load rows
    # through access functions, and OPTIONS /api/users/<id> answered 500.
    url = path.format(id=user.id, role=user.role_id)

    response = await async_client.options(url, headers=auth_headers)

    assert response.status_code == 200
    assert "actions" not in response.json()

import pytest

from accounts.models import Role, User
from tests.factories import DEFAULT_PASSWORD, UserFactory


class TestMe:
    def test_get_profile(self, api_client, user):
        body = api_client.get("/api/users/me").json()
        assert body["username"] == user.username
        assert body["role"]["name"] == "admin"

    def test_anonymous_is_401(self, anon_client, db):
        assert anon_client.get("/api/users/me").status_code == 401

    def test_patch_profile(self, api_client, user):
        response = api_client.patch(
            "/api/users/me", {"full_name": "Ana Pérez"}, format="json"
        )
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.full_name == "Ana Pérez"

    def test_patch_cannot_change_role_or_company(self, api_client, user, other_company):
        agent_role = Role.objects.get(company=user.company, name="agent")
        api_client.patch(
            "/api/users/me",
            {"role": agent_role.id, "company": other_company.id},
            format="json",
        )
        user.refresh_from_db()
        assert user.role.name == "admin"
        assert user.company_id != other_company.id

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"email": "not-an-email"}, "email"),
            ({"full_name": "x" * 151}, "full_name"),
            ({"username": "has spaces"}, "username"),
        ],
    )
    def test_bad_profile_input_is_400(self, api_client, payload, field):
        response = api_client.patch("/api/users/me", payload, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_taken_email_is_400(self, api_client, agent):
        response = api_client.patch(
            "/api/users/me", {"email": agent.email}, format="json"
        )
        assert response.status_code == 400
        assert "email" in response.json()

    def test_delete_deactivates_and_signs_out(self, anon_client, user):
        tokens = anon_client.post(
            "/api/auth/login",
            {"username": user.username, "password": DEFAULT_PASSWORD},
            format="json",
        ).json()
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        assert anon_client.delete("/api/users/me").status_code == 204
        user.refresh_from_db()
        assert user.is_active is False
        assert anon_client.get("/api/users/me").status_code == 401
        anon_client.credentials()
        refresh = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
        )
        assert refresh.status_code == 401


class TestPassword:
    URL = "/api/users/me/password"

    def test_change_password(self, api_client, user):
        response = api_client.post(
            self.URL,
            {"old_password": DEFAULT_PASSWORD, "new_password": "brand-new-secret-77"},
            format="json",
        )
        assert response.status_code == 204
        user.refresh_from_db()
        assert user.check_password("brand-new-secret-77")

    def test_wrong_old_password_is_400(self, api_client, user):
        response = api_client.post(
            self.URL, {"old_password": "nope", "new_password": "brand-new-secret-77"}
        )
        assert response.status_code == 400
        assert "old_password" in response.json()

    @pytest.mark.parametrize("new_password", ["short", "12345678901", "password123"])
    def test_django_validators_apply(self, api_client, new_password):
        response = api_client.post(
            self.URL, {"old_password": DEFAULT_PASSWORD, "new_password": new_password}
        )
        assert response.status_code == 400
        assert "password" in response.json()

    def test_change_revokes_refresh_tokens(self, anon_client, user):
        tokens = anon_client.post(
            "/api/auth/login",
            {"username": user.username, "password": DEFAULT_PASSWORD},
            format="json",
        ).json()
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
        anon_client.post(
            self.URL,
            {"old_password": DEFAULT_PASSWORD, "new_password": "brand-new-secret-77"},
        )
        anon_client.credentials()
        refresh = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
        )
        assert refresh.status_code == 401


class TestPreferences:
    URL = "/api/users/me/preferences"

    def test_empty_by_default(self, api_client):
        assert api_client.get(self.URL).json() == {}

    def test_put_replaces_the_object(self, api_client, user):
        prefs = {
            "language": "es",
            "theme": "dark",
            "default_model": "llama-3.3-70b-versatile",
        }
        assert api_client.put(self.URL, prefs, format="json").json() == prefs
        assert api_client.put(self.URL, {"theme": "light"}, format="json").json() == {
            "theme": "light"
        }
        user.refresh_from_db()
        assert user.preferences == {"theme": "light"}

    @pytest.mark.parametrize("payload", [[1, 2], "text", 5])
    def test_non_object_is_400(self, api_client, payload):
        response = api_client.put(self.URL, payload, format="json")
        assert response.status_code == 400

    def test_too_many_keys_is_400(self, api_client):
        response = api_client.put(
            self.URL, {f"k{i}": i for i in range(101)}, format="json"
        )
        assert response.status_code == 400


class TestUsersCrud:
    URL = "/api/users/"

    def test_list_is_paginated_and_company_scoped(
        self, api_client, user, agent, other_user
    ):
        body = api_client.get(self.URL).json()
        assert body["count"] == 2
        assert {row["id"] for row in body["results"]} == {user.id, agent.id}
        assert set(body) == {"count", "next", "previous", "results"}

    def test_search_and_filters(self, api_client, user, agent):
        assert api_client.get(self.URL, {"search": agent.username}).json()["count"] == 1
        assert (
            api_client.get(self.URL, {"role": agent.role_id}).json()["results"][0]["id"]
            == agent.id
        )
        assert api_client.get(self.URL, {"is_active": "false"}).json()["count"] == 0

    def test_page_size_is_capped(self, api_client, company):
        UserFactory.create_batch(3, company=company)
        body = api_client.get(self.URL, {"page_size": 2}).json()
        assert len(body["results"]) == 2 and body["next"]
        assert api_client.get(self.URL, {"page": 99}).status_code == 404

    def test_create_user_with_role_and_password(self, api_client, company):
        role = Role.objects.get(company=company, name="agent")
        payload = {
            "username": "maria",
            "email": "maria@example.com",
            "full_name": "María",
            "role": role.id,
            "password": "agent-secret-123",
        }
        response = api_client.post(self.URL, payload, format="json")
        assert response.status_code == 201
        assert "password" not in response.json()
        created = User.objects.get(username="maria")
        assert created.company == company and created.role == role
        assert created.check_password("agent-secret-123")

    def test_create_without_password_cannot_sign_in_yet(self, api_client, anon_client):
        api_client.post(self.URL, {"username": "nopass"}, format="json")
        assert User.objects.get(username="nopass").has_usable_password() is False

    def test_role_of_another_company_is_400(self, api_client, other_company):
        foreign_role = Role.objects.get(company=other_company, name="admin")
        response = api_client.post(
            self.URL, {"username": "sneaky", "role": foreign_role.id}, format="json"
        )
        assert response.status_code == 400
        assert "role" in response.json()

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"username": ""},
            {"username": "x" * 151},
            {"username": "ok", "role": "admin"},
            {"username": "ok", "is_active": "maybe"},
            {"username": "ok", "password": "1"},
        ],
    )
    def test_bad_input_is_400(self, api_client, payload):
        response = api_client.post(self.URL, payload, format="json")
        assert response.status_code == 400
        assert response.json()

    def test_duplicate_username_is_400(self, api_client, agent):
        response = api_client.post(
            self.URL, {"username": agent.username}, format="json"
        )
        assert response.status_code == 400
        assert "username" in response.json()

    def test_update_and_deactivate(self, api_client, agent):
        url = f"{self.URL}{agent.id}"
        response = api_client.patch(url, {"full_name": "Renamed"}, format="json")
        assert response.status_code == 200 and response.json()["full_name"] == "Renamed"
        assert api_client.delete(url).status_code == 204
        agent.refresh_from_db()
        assert agent.is_active is False

    def test_put_needs_all_required_fields(self, api_client, agent):
        response = api_client.put(
            f"{self.URL}{agent.id}", {"full_name": "x"}, format="json"
        )
        assert response.status_code == 400
        assert "username" in response.json()

    def test_cannot_deactivate_self_here(self, api_client, user):
        assert api_client.delete(f"{self.URL}{user.id}").status_code == 409
        assert (
            api_client.patch(
                f"{self.URL}{user.id}", {"is_active": False}, format="json"
            ).status_code
            == 409
        )

    def test_needs_users_manage(self, client_for, agent):
        client = client_for(agent)
        assert client.get(self.URL).status_code == 403
        assert (
            client.post(self.URL, {"username": "x"}, format="json").status_code == 403
        )
        assert client.get(f"{self.URL}{agent.id}").status_code == 403

    def test_superuser_passes_every_check(self, client_for, company):
        root = UserFactory(company=company, role=None, is_superuser=True)
        assert client_for(root).get(self.URL).status_code == 200

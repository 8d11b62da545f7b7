import pytest

from accounts.models import Role
from accounts.permissions import PermissionCode
from tests.factories import UserFactory


class TestRoles:
    URL = "/api/roles/"

    def test_new_company_has_default_roles(self, api_client):
        names = {row["name"] for row in api_client.get(self.URL).json()["results"]}
        assert names == {"admin", "supervisor", "agent"}

    def test_list_counts_holders(self, api_client, user):
        rows = {row["name"]: row for row in api_client.get(self.URL).json()["results"]}
        assert rows["admin"]["user_count"] == 1
        assert set(rows["admin"]["permissions"]) == set(PermissionCode.values)

    def test_permission_catalogue(self, client_for, agent):
        body = client_for(agent).get("/api/roles/permissions").json()
        assert {row["code"] for row in body} == set(PermissionCode.values)
        assert all(row["description"] for row in body)

    def test_create_update_delete(self, api_client, company):
        created = api_client.post(
            self.URL,
            {"name": "auditor", "permissions": ["logs.view", "helpdesk.view"]},
            format="json",
        )
        assert created.status_code == 201
        role_id = created.json()["id"]
        updated = api_client.patch(
            f"{self.URL}{role_id}", {"permissions": ["logs.view"]}, format="json"
        )
        assert updated.json()["permissions"] == ["logs.view"]
        assert api_client.delete(f"{self.URL}{role_id}").status_code == 204
        assert not Role.objects.filter(id=role_id).exists()

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"name": "x", "permissions": ["no.such.code"]}, "permissions"),
            ({"name": "x", "permissions": "logs.view"}, "permissions"),
            ({"permissions": []}, "name"),
            ({"name": "x" * 81, "permissions": []}, "name"),
            ({"name": "Admin", "permissions": []}, "name"),
        ],
    )
    def test_bad_input_is_400(self, api_client, payload, field):
        response = api_client.post(self.URL, payload, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_role_in_use_cannot_be_deleted(self, api_client, agent):
        response = api_client.delete(f"{self.URL}{agent.role_id}")
        assert response.status_code == 409
        assert "reassign" in response.json()["detail"]

    def test_needs_roles_manage(self, client_for, company):
        supervisor = UserFactory(company=company, role_name="supervisor")
        assert client_for(supervisor).get(self.URL).status_code == 403

    def test_permissions_follow_the_role(self, client_for, api_client, agent):
        client = client_for(agent)
        assert client.get("/api/users/").status_code == 403
        api_client.patch(
            f"{self.URL}{agent.role_id}",
            {"permissions": ["users.manage"]},
            format="json",
        )
        assert client.get("/api/users/").status_code == 200


class TestCompany:
    URL = "/api/company"

    def test_get_own_company(self, client_for, agent):
        body = client_for(agent).get(self.URL).json()
        assert body["id"] == agent.company_id
        assert body["slug"]

    def test_patch_needs_company_manage(self, client_for, agent):
        assert (
            client_for(agent).patch(self.URL, {"name": "X"}, format="json").status_code
            == 403
        )

    def test_patch_name_and_settings(self, api_client, company):
        response = api_client.patch(
            self.URL,
            {"name": "Renamed", "settings": {"timezone": "America/Bogota"}},
            format="json",
        )
        assert response.status_code == 200
        company.refresh_from_db()
        assert company.name == "Renamed"
        assert company.settings == {"timezone": "America/Bogota"}

    @pytest.mark.parametrize(
        "payload", [{"name": ""}, {"settings": [1]}, {"name": "x" * 151}]
    )
    def test_bad_input_is_400(self, api_client, payload):
        assert api_client.patch(self.URL, payload, format="json").status_code == 400

    def test_user_without_company_is_403(self, client_for, db):
        root = UserFactory(company=None, role=None, is_superuser=True)
        response = client_for(root).get(self.URL)
        assert response.status_code == 403
        assert "company" in response.json()["detail"]


class TestTenancy:
    """Company B can neither see nor touch company A's users and roles."""

    def test_other_company_user_is_404_for_every_method(self, api_client, other_user):
        url = f"/api/users/{other_user.id}"
        assert api_client.get(url).status_code == 404
        assert (
            api_client.patch(url, {"full_name": "hacked"}, format="json").status_code
            == 404
        )
        assert (
            api_client.put(url, {"username": "hacked"}, format="json").status_code
            == 404
        )
        assert api_client.delete(url).status_code == 404
        other_user.refresh_from_db()
        assert other_user.full_name != "hacked" and other_user.is_active

    def test_other_company_role_is_404_for_every_method(
        self, api_client, other_company
    ):
        role = Role.objects.get(company=other_company, name="agent")
        url = f"/api/roles/{role.id}"
        assert api_client.get(url).status_code == 404
        assert (
            api_client.patch(url, {"permissions": []}, format="json").status_code == 404
        )
        assert api_client.delete(url).status_code == 404
        role.refresh_from_db()
        assert role.permissions

    def test_missing_and_foreign_ids_look_the_same(self, api_client, other_user):
        foreign = api_client.get(f"/api/users/{other_user.id}").json()
        missing = api_client.get("/api/users/999999").json()
        assert foreign == missing == {"detail": "User not found.", "code": "not_found"}

    def test_lists_never_show_other_companies(self, api_client, other_user):
        users = api_client.get("/api/users/", {"search": other_user.username}).json()
        assert users["count"] == 0
        roles = api_client.get("/api/roles/").json()["results"]
        assert all(
            Role.objects.get(id=row["id"]).company_id != other_user.company_id
            for row in roles
        )


class TestNoSelfLockout:
    def test_cannot_drop_roles_manage_from_own_role(self, api_client, user):
        response = api_client.patch(
            f"/api/roles/{user.role_id}", {"permissions": ["logs.view"]}, format="json"
        )
        assert response.status_code == 409
        user.role.refresh_from_db()
        assert "roles.manage" in user.role.permissions

    def test_cannot_give_self_a_role_without_users_manage(self, api_client, user):
        agent_role = Role.objects.get(company=user.company, name="agent")
        response = api_client.patch(
            f"/api/users/{user.id}", {"role": agent_role.id}, format="json"
        )
        assert response.status_code == 409
        user.refresh_from_db()
        assert user.role.name == "admin"

    def test_may_change_other_roles_and_users_freely(self, api_client, agent):
        supervisor = Role.objects.get(company=agent.company, name="supervisor")
        assert (
            api_client.patch(
                f"/api/roles/{agent.role_id}", {"permissions": []}, format="json"
            ).status_code
            == 200
        )
        assert (
            api_client.patch(
                f"/api/users/{agent.id}", {"role": supervisor.id}, format="json"
            ).status_code
            == 200
        )

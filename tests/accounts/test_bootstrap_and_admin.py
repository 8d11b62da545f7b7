import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import Company, Role, User
from tests.factories import UserFactory


@pytest.mark.django_db
class TestBootstrap:
    @override_settings(
        ADMIN_PASSWORD="boot-strap-secret-9", ADMIN_EMAIL="ops@acme.test"
    )
    def test_creates_company_and_admin_once(self, capsys):
        call_command("bootstrap")
        call_command("bootstrap")
        admin = User.objects.get(username="admin")
        assert admin.is_superuser and admin.is_staff
        assert admin.email == "ops@acme.test"
        assert admin.check_password("boot-strap-secret-9")
        assert admin.role.name == "admin" and admin.role.company == admin.company
        assert Company.objects.count() == 1
        assert Role.objects.count() == 3
        assert "already exists" in capsys.readouterr().out

    @override_settings(ADMIN_PASSWORD="")
    def test_prints_a_generated_password_once(self, capsys):
        call_command("bootstrap")
        out = capsys.readouterr().out
        password = out.split("Generated password (shown once): ")[1].strip()
        assert User.objects.get(username="admin").check_password(password)
        call_command("bootstrap")
        assert "Generated password" not in capsys.readouterr().out


class TestAdmin:
    @pytest.fixture
    def admin_client(self, client, company):
        client.force_login(
            UserFactory(company=company, is_staff=True, is_superuser=True)
        )
        return client

    @pytest.mark.parametrize(
        "url",
        [
            "/admin/accounts/company/",
            "/admin/accounts/role/",
            "/admin/accounts/user/",
            "/admin/accounts/user/add/",
            "/admin/accounts/role/add/",
            "/admin/axes/accessattempt/",
            "/admin/axes/accesslog/",
            "/admin/axes/accessfailurelog/",
        ],
    )
    def test_pages_render(self, admin_client, url):
        assert admin_client.get(url).status_code == 200

    def test_list_search_and_company_filter(self, admin_client, user, other_user):
        page = admin_client.get(
            "/admin/accounts/user/", {"company__id__exact": user.company_id}
        ).content.decode()
        assert user.username in page and other_user.username not in page
        page = admin_client.get(
            "/admin/accounts/user/", {"q": other_user.email}
        ).content.decode()
        assert other_user.username in page

    def test_company_added_in_admin_gets_default_roles(self, admin_client):
        response = admin_client.post(
            "/admin/accounts/company/add/",
            {
                "name": "Admin Made",
                "slug": "admin-made",
                "settings": "{}",
                "is_active": "on",
            },
        )
        assert response.status_code == 302
        company = Company.objects.get(slug="admin-made")
        assert Role.objects.filter(company=company).count() == 3

    def test_role_of_another_company_is_refused(
        self, admin_client, user, other_company
    ):
        foreign_role = Role.objects.get(company=other_company, name="agent")
        form = (
            admin_client.get(f"/admin/accounts/user/{user.id}/change/")
            .context["adminform"]
            .form
        )
        data = {key: value for key, value in form.initial.items() if value is not None}
        data.update(
            company=user.company_id,
            role=foreign_role.id,
            date_joined_0="2026-01-01",
            date_joined_1="00:00:00",
            preferences="{}",
        )
        data.pop("password", None)
        data.pop("groups", None)
        data.pop("user_permissions", None)
        data.pop("last_login", None)
        response = admin_client.post(f"/admin/accounts/user/{user.id}/change/", data)
        assert response.status_code == 200
        assert "another company" in response.content.decode()

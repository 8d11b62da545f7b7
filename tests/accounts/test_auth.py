import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import override_settings

from accounts.models import Company, Role, User
from accounts.services import tokens_for_user
from tests.factories import DEFAULT_PASSWORD, UserFactory

LOGIN = "/api/auth/login"


def login(client, **credentials):
    return client.post(LOGIN, credentials, format="json", REMOTE_ADDR="10.0.0.7")


class TestLogin:
    def test_by_username_returns_tokens_and_profile(self, anon_client, user):
        response = login(anon_client, username=user.username, password=DEFAULT_PASSWORD)
        assert response.status_code == 200
        body = response.json()
        assert body["access"] and body["refresh"]
        assert body["user"]["username"] == user.username
        assert body["user"]["company"]["id"] == user.company_id
        assert "users.manage" in body["user"]["permissions"]

    def test_by_email_in_any_case(self, anon_client, user):
        response = login(
            anon_client, email=user.email.upper(), password=DEFAULT_PASSWORD
        )
        assert response.status_code == 200
        assert response.json()["user"]["id"] == user.id

    def test_email_given_in_username_field(self, anon_client, user):
        response = login(anon_client, username=user.email, password=DEFAULT_PASSWORD)
        assert response.status_code == 200

    def test_records_success_and_last_login(self, anon_client, user):
        login(anon_client, username=user.username, password=DEFAULT_PASSWORD)
        user.refresh_from_db()
        assert user.last_login is not None
        assert AccessLog.objects.filter(
            username=user.username, ip_address="10.0.0.7"
        ).exists()

    def test_access_token_authenticates_api_calls(self, anon_client, user):
        access = login(
            anon_client, username=user.username, password=DEFAULT_PASSWORD
        ).json()["access"]
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        assert anon_client.get("/api/users/me").json()["id"] == user.id

    def test_a_token_loads_its_user_company_and_role_in_one_query(
        self, anon_client, user, django_assert_num_queries
    ):
        access = tokens_for_user(user=user)["access"]
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        # The user, its company (tenancy) and its role (permission checks) are read
        # on every request: one query, where plain simplejwt took three.
        with django_assert_num_queries(1):
            response = anon_client.get("/api/company")
        assert response.json()["id"] == user.company_id

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"password": "x"}, "username"),
            ({"username": "someone"}, "password"),
            ({"username": "x" * 300, "password": "x"}, "username"),
            ({"username": ["a"], "password": "x"}, "username"),
        ],
    )
    def test_bad_input_names_the_field(self, anon_client, db, payload, field):
        response = anon_client.post(LOGIN, payload, format="json")
        assert response.status_code == 400
        assert field in response.json()

    def test_malformed_json_is_400(self, anon_client, db):
        response = anon_client.post(
            LOGIN, data="{not json", content_type="application/json"
        )
        assert response.status_code == 400
        assert "JSON" in response.json()["detail"]

    def test_wrong_password_is_401_and_recorded(self, anon_client, user):
        response = login(anon_client, username=user.username, password="wrong")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
        assert AccessFailureLog.objects.filter(username=user.username).count() == 1

    def test_unknown_user_is_401(self, anon_client, db):
        assert (
            login(anon_client, username="ghost", password="whatever").status_code == 401
        )

    def test_inactive_user_cannot_sign_in(self, anon_client, user):
        user.is_active = False
        user.save()
        assert (
            login(
                anon_client, username=user.username, password=DEFAULT_PASSWORD
            ).status_code
            == 401
        )

    def test_inactive_company_cannot_sign_in(self, anon_client, user):
        Company.objects.filter(id=user.company_id).update(is_active=False)
        response = login(anon_client, username=user.username, password=DEFAULT_PASSWORD)
        assert response.status_code == 403


class TestLockout:
    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_repeated_failures_are_refused_with_429_even_with_right_password(
        self, anon_client, user
    ):
        for _ in range(2):
            assert (
                login(anon_client, username=user.username, password="nope").status_code
                == 401
            )
        locked = login(anon_client, username=user.username, password="nope")
        assert locked.status_code == 429
        assert locked.json()["code"] == "throttled"
        assert int(locked["Retry-After"]) > 0
        right = login(anon_client, username=user.username, password=DEFAULT_PASSWORD)
        assert right.status_code == 429
        assert (
            AccessAttempt.objects.get(username=user.username).failures_since_start >= 3
        )

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_lockout_is_per_username_and_address(self, anon_client, user, agent):
        for _ in range(3):
            login(anon_client, username=user.username, password="nope")
        other_user = login(
            anon_client, username=agent.username, password=DEFAULT_PASSWORD
        )
        assert other_user.status_code == 200
        other_address = anon_client.post(
            LOGIN,
            {"username": user.username, "password": DEFAULT_PASSWORD},
            format="json",
            REMOTE_ADDR="10.0.0.8",
        )
        assert other_address.status_code == 200

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_success_resets_the_failure_count(self, anon_client, user):
        for _ in range(2):
            login(anon_client, username=user.username, password="nope")
        assert (
            login(
                anon_client, username=user.username, password=DEFAULT_PASSWORD
            ).status_code
            == 200
        )
        for _ in range(2):
            assert (
                login(anon_client, username=user.username, password="nope").status_code
                == 401
            )

    def test_many_successful_logins_from_one_address_keep_working(
        self, anon_client, company
    ):
        users = UserFactory.create_batch(5, company=company, role_name="agent")
        for _ in range(6):
            for member in users:
                response = login(
                    anon_client, username=member.username, password=DEFAULT_PASSWORD
                )
                assert response.status_code == 200


class TestRefreshAndLogout:
    @pytest.fixture
    def tokens(self, anon_client, user):
        return login(
            anon_client, username=user.username, password=DEFAULT_PASSWORD
        ).json()

    def test_refresh_rotates_and_blacklists_the_old_token(self, anon_client, tokens):
        first = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
        )
        assert first.status_code == 200
        assert first.json()["refresh"] != tokens["refresh"]
        reused = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
        )
        assert reused.status_code == 401

    def test_logout_blacklists_the_refresh_token(self, anon_client, tokens):
        response = anon_client.post(
            "/api/auth/logout", {"refresh": tokens["refresh"]}, format="json"
        )
        assert response.status_code == 205
        reused = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
        )
        assert reused.status_code == 401

    def test_refresh_with_an_access_token_is_refused(self, anon_client, tokens):
        response = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["access"]}, format="json"
        )
        assert response.status_code == 401

    @pytest.mark.parametrize("payload", [{}, {"refresh": "garbage"}, {"refresh": 12}])
    def test_logout_bad_token_is_400(self, anon_client, db, payload):
        response = anon_client.post("/api/auth/logout", payload, format="json")
        assert response.status_code == 400
        assert "refresh" in response.json()

    def test_refresh_of_deactivated_user_is_refused(self, anon_client, tokens, user):
        user.is_active = False
        user.save()
        response = anon_client.post(
            "/api/auth/refresh", {"refresh": tokens["refresh"]}, format="json"
        )
        assert response.status_code == 401

    def test_tokens_carry_company_claims(self, tokens, user):
        from rest_framework_simplejwt.tokens import AccessToken

        claims = AccessToken(tokens["access"]).payload
        assert claims["company"] == user.company_id
        assert claims["role"] == "admin"
        assert claims["iss"] == "mostrador"


class TestRegister:
    PAYLOAD = {
        "username": "founder",
        "email": "founder@acme.test",
        "password": "a-long-enough-pass-42",
        "company_name": "Acme Support",
    }

    def test_creates_company_with_default_roles_and_admin(self, anon_client, db):
        response = anon_client.post("/api/auth/register", self.PAYLOAD, format="json")
        assert response.status_code == 201
        body = response.json()
        assert body["access"] and body["refresh"]
        user = User.objects.get(username="founder")
        assert user.company.name == "Acme Support"
        assert user.role.name == "admin"
        assert set(
            Role.objects.filter(company=user.company).values_list("name", flat=True)
        ) == {
            "admin",
            "supervisor",
            "agent",
        }

    def test_duplicate_username_and_email_are_400(self, anon_client, user):
        payload = {
            **self.PAYLOAD,
            "username": user.username,
            "email": user.email.upper(),
        }
        response = anon_client.post("/api/auth/register", payload, format="json")
        assert response.status_code == 400
        assert set(response.json()) >= {"username", "email"}
        assert not Company.objects.filter(name="Acme Support").exists()

    def test_weak_password_is_400_and_creates_nothing(self, anon_client, db):
        response = anon_client.post(
            "/api/auth/register", {**self.PAYLOAD, "password": "123"}, format="json"
        )
        assert response.status_code == 400
        assert "password" in response.json()
        assert not Company.objects.exists()

    @override_settings(ALLOW_SIGNUP=False)
    def test_can_be_switched_off(self, anon_client, db):
        response = anon_client.post("/api/auth/register", self.PAYLOAD, format="json")
        assert response.status_code == 403
        assert not User.objects.exists()

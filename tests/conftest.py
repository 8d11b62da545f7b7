import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.services import tokens_for_user
from tests.factories import CompanyFactory, UserFactory


@pytest.fixture(autouse=True)
def empty_cache():
    """Ids are reused after each test's rollback, so cached data must not outlive it."""
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing with the production hasher would make each sign-in take ~0.3 s."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def other_company(db):
    return CompanyFactory()


@pytest.fixture
def user(company):
    """An admin of `company`."""
    return UserFactory(company=company)


@pytest.fixture
def agent(company):
    return UserFactory(company=company, role_name="agent")


@pytest.fixture
def other_user(other_company):
    """An admin of another company, for tenancy tests."""
    return UserFactory(company=other_company)


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def api_client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def client_for():
    """An API client signed in as the given user with a real access token."""

    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(
            HTTP_AUTHORIZATION=f"Bearer {tokens_for_user(user=user)['access']}"
        )
        return client

    return make

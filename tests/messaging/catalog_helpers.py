"""Clients and users for the inbox catalog's API tests."""

from rest_framework.test import APIClient

from accounts.models import Company, Role, User
from tests.factories import UserFactory


def client_as(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def user_with(company: Company, *codes: str) -> User:
    """A user of `company` whose role grants exactly `codes`."""
    name = "role-" + "-".join(codes or ("none",))
    Role.objects.get_or_create(
        company=company, name=name, defaults={"permissions": list(codes)}
    )
    return UserFactory(company=company, role_name=name)

from django.db.models import Count, Q, QuerySet

from accounts.models import Company, Role, User
from project.errors import NotFound


def user_list(*, company: Company) -> QuerySet[User]:
    return User.objects.filter(company=company).select_related("role", "company")


def user_get(*, company: Company, user_id: int) -> User:
    try:
        return user_list(company=company).get(id=user_id)
    except User.DoesNotExist:
        raise NotFound("User not found.") from None


def user_find_by_login(*, identifier: str) -> User | None:
    """The user a login identifier (username, or email in any case) names, if any."""
    matches = list(
        User.objects.filter(Q(username=identifier) | Q(email__iexact=identifier))[:2]
    )
    exact = [user for user in matches if user.username == identifier]
    return (exact or matches or [None])[0]


def role_list(*, company: Company) -> QuerySet[Role]:
    """The company's roles, each with `user_count`, the number of users holding it."""
    return (
        Role.objects.for_company(company)
        .annotate(user_count=Count("users"))
        .order_by("name")
    )


def role_get(*, company: Company, role_id: int) -> Role:
    try:
        return role_list(company=company).get(id=role_id)
    except Role.DoesNotExist:
        raise NotFound("Role not found.") from None

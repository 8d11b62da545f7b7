"""Writes and workflows of the accounts app: companies, roles, users, tokens."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify
from rest_framework import exceptions
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import (
    BlacklistedToken,
    OutstandingToken,
)
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Company, Role, User
from accounts.permissions import ADMIN_ROLE, DEFAULT_ROLES, PermissionCode
from accounts.selectors import role_get, user_find_by_login
from project.errors import Conflict, NotFound, PermissionDenied

logger = logging.getLogger(__name__)

PREFERENCES_MAX_KEYS = 100


# --- Companies and roles ------------------------------------------------------------------


def _unique_company_slug(name: str) -> str:
    base = slugify(name)[:150] or "company"
    slug, suffix = base, 1
    while Company.objects.filter(slug=slug).exists():
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


@transaction.atomic
def company_create(*, name: str) -> Company:
    """A new company with its default `admin`, `supervisor` and `agent` roles."""
    company = Company.objects.create(name=name, slug=_unique_company_slug(name))
    company_default_roles_create(company=company)
    return company


def company_default_roles_create(*, company: Company) -> None:
    Role.objects.bulk_create(
        Role(company=company, name=role_name, permissions=[str(code) for code in codes])
        for role_name, codes in DEFAULT_ROLES.items()
    )


def company_update(*, company: Company, data: dict[str, Any]) -> Company:
    for field in ("name", "settings"):
        if field in data:
            setattr(company, field, data[field])
    company.save()
    return company


def _check_role_name_free(
    *, company: Company, name: str, exclude_id: int | None = None
) -> None:
    clash = (
        Role.objects.for_company(company)
        .filter(name__iexact=name)
        .exclude(id=exclude_id)
    )
    if clash.exists():
        raise ValidationError({"name": f"A role named '{name}' already exists."})


def role_create(*, company: Company, name: str, permissions: list[str]) -> Role:
    _check_role_name_free(company=company, name=name)
    return Role.objects.create(
        company=company, name=name, permissions=sorted(set(permissions))
    )


def role_update(
    *, role: Role, data: dict[str, Any], acting_user: User | None = None
) -> Role:
    if (
        "permissions" in data
        and acting_user is not None
        and acting_user.role_id == role.id
        and not acting_user.is_superuser
        and PermissionCode.ROLES_MANAGE not in data["permissions"]
    ):
        raise Conflict(
            "This is your own role: without 'roles.manage' you could not undo the change. "
            "Ask another administrator."
        )
    if "name" in data:
        _check_role_name_free(
            company=role.company, name=data["name"], exclude_id=role.id
        )
        role.name = data["name"]
    if "permissions" in data:
        role.permissions = sorted(set(data["permissions"]))
    role.save()
    return role


def role_delete(*, role: Role) -> None:
    holders = role.users.count()
    if holders:
        raise Conflict(
            f"The role '{role.name}' is held by {holders} user(s); reassign them first."
        )
    role.delete()


# --- Users ------------------------------------------------------------------------------


def _check_identity_free(
    *, username: str | None, email: str | None, exclude_id: int | None = None
) -> None:
    others = User.objects.exclude(id=exclude_id)
    errors = {}
    if username is not None and others.filter(username=username).exists():
        errors["username"] = "This username is taken."
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = "A user with this email already exists."
    if errors:
        raise ValidationError(errors)


def _check_password(password: str, *, user: User) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def _role_of_company(*, company: Company, role_id: int | None) -> Role | None:
    if role_id is None:
        return None
    try:
        return role_get(company=company, role_id=role_id)
    except NotFound:
        raise ValidationError({"role": "No such role in your company."}) from None


@transaction.atomic
def user_create(
    *,
    company: Company,
    username: str,
    email: str = "",
    full_name: str = "",
    role_id: int | None = None,
    password: str | None = None,
    is_active: bool = True,
) -> User:
    _check_identity_free(username=username, email=email)
    user = User(
        company=company,
        username=username,
        email=email,
        full_name=full_name,
        role=_role_of_company(company=company, role_id=role_id),
        is_active=is_active,
    )
    if password:
        _check_password(password, user=user)
        user.set_password(password)
    else:
        # No password yet: the user cannot sign in until an admin or a reset sets one.
        user.set_unusable_password()
    user.save()
    return user


def user_update(
    *, user: User, data: dict[str, Any], acting_user: User | None = None
) -> User:
    _check_identity_free(
        username=data.get("username"), email=data.get("email"), exclude_id=user.id
    )
    if (
        acting_user is not None
        and acting_user.id == user.id
        and data.get("is_active") is False
    ):
        raise Conflict(
            "You cannot deactivate your own account here; use /api/users/me."
        )
    for field in ("username", "email", "full_name", "is_active"):
        if field in data:
            setattr(user, field, data[field])
    if "role" in data:
        role = _role_of_company(company=user.company, role_id=data["role"])
        _check_not_locking_self_out(user=user, role=role, acting_user=acting_user)
        user.role = role
    if data.get("password"):
        _check_password(data["password"], user=user)
        user.set_password(data["password"])
    user.save()
    if user.is_active is False or data.get("password"):
        user_revoke_refresh_tokens(user=user)
    return user


def _check_not_locking_self_out(
    *, user: User, role: Role | None, acting_user: User | None
) -> None:
    if acting_user is None or acting_user.id != user.id or user.is_superuser:
        return
    if role is None or not role.grants(PermissionCode.USERS_MANAGE):
        raise Conflict(
            "With that role you could no longer manage users, this change included. "
            "Ask another administrator."
        )


def user_deactivate(*, user: User, acting_user: User | None = None) -> None:
    """Deactivates `user` (their data stays) and signs them out everywhere."""
    if acting_user is not None and acting_user.id == user.id:
        raise Conflict(
            "You cannot deactivate your own account here; use /api/users/me."
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_revoke_refresh_tokens(user=user)


def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "The current password is not correct."})
    _check_password(new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    user_revoke_refresh_tokens(user=user)


def user_set_preferences(*, user: User, preferences: dict[str, Any]) -> dict[str, Any]:
    if len(preferences) > PREFERENCES_MAX_KEYS:
        raise ValidationError(
            {"preferences": f"At most {PREFERENCES_MAX_KEYS} keys are kept."}
        )
    user.preferences = preferences
    user.save(update_fields=["preferences"])
    return user.preferences


# --- Sign-up, sign-in and tokens --------------------------------------------------------------


@transaction.atomic
def account_register(
    *, username: str, email: str, password: str, company_name: str
) -> User:
    """A new company with `username` as its first admin."""
    if not settings.ALLOW_SIGNUP:
        raise PermissionDenied(
            "Sign-up is closed on this server; ask an administrator."
        )
    _check_identity_free(username=username, email=email)
    _check_password(password, user=User(username=username, email=email))
    company = company_create(name=company_name)
    admin_role = Role.objects.get(company=company, name=ADMIN_ROLE)
    return user_create(
        company=company,
        username=username,
        email=email,
        role_id=admin_role.id,
        password=password,
    )


def auth_login(*, request: HttpRequest, identifier: str, password: str) -> User:
    """The user `identifier` (username or email) and `password` name.

    Every attempt is recorded by django-axes; repeated failures for one username from
    one address are refused for a cool-off period.
    """
    known = user_find_by_login(identifier=identifier)
    username = known.username if known else identifier.lower()
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        cooloff = settings.AXES_COOLOFF_TIME
        raise exceptions.Throttled(
            wait=cooloff.total_seconds(),
            detail="Too many failed sign-in attempts; try again later.",
        )
    if user is None:
        raise exceptions.AuthenticationFailed(
            "No active account found with these credentials."
        )
    if user.company_id and not user.company.is_active:
        raise PermissionDenied("Your company's account is deactivated.")
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user


def tokens_for_user(*, user: User) -> dict[str, str]:
    """A refresh/access pair whose claims let other services scope by company."""
    refresh = RefreshToken.for_user(user)
    refresh["username"] = user.username
    refresh["company"] = user.company_id
    refresh["role"] = user.role.name if user.role else None
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def auth_logout(*, refresh: str) -> None:
    try:
        RefreshToken(refresh).blacklist()
    except TokenError as exc:
        raise ValidationError({"refresh": str(exc)}) from None


def user_revoke_refresh_tokens(*, user: User) -> None:
    """Blacklists every refresh token of `user`, signing them out everywhere."""
    for token in OutstandingToken.objects.filter(
        user=user, blacklistedtoken__isnull=True
    ):
        BlacklistedToken.objects.get_or_create(token=token)

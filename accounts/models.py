from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyOwned


class Company(models.Model):
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    settings = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class Role(CompanyOwned):
    """A named set of permission codes within one company."""

    name = models.CharField(max_length=80)
    permissions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="role_unique_name_per_company"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})"

    def grants(self, code: str) -> bool:
        return code in self.permissions


class User(AbstractUser):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    full_name = models.CharField(max_length=150, blank=True)
    preferences = models.JSONField(default=dict, blank=True)

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_unique_email_ci",
                violation_error_message="A user with this email already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role_id and self.role.company_id != self.company_id:
            raise ValidationError({"role": "The role belongs to another company."})

    def has_company_permission(self, code: PermissionCode | str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.role is not None and self.role.grants(code)

    @property
    def permission_codes(self) -> list[str]:
        if self.is_superuser:
            return list(PermissionCode.values)
        return list(self.role.permissions) if self.role else []

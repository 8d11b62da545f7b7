from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import Company, Role, User
from accounts.permissions import PermissionCode
from accounts.services import company_default_roles_create


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "user_count", "created_at"]
    list_filter = ["is_active", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["created_at"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="users")
    def user_count(self, company: Company) -> int:
        return company.users.count()

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            company_default_roles_create(company=obj)


class RoleAdminForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=PermissionCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Role
        fields = ["company", "name", "permissions"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleAdminForm
    list_display = ["name", "company", "permission_count", "updated_at"]
    list_filter = ["company", "name"]
    search_fields = ["name", "company__name"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["company"]

    @admin.display(description="permissions")
    def permission_count(self, role: Role) -> int:
        return len(role.permissions)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "full_name",
        "company",
        "role",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["company", "role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "email", "full_name", "company__name"]
    list_select_related = ["company", "role"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Profile", {"fields": ("full_name", "email", "preferences")}),
        ("Company", {"fields": ("company", "role")}),
        (
            "Access",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "company",
                    "role",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

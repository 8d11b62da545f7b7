"""The fixed catalogue of permission codes that roles grant, and the DRF check."""

from django.db import models
from rest_framework.permissions import BasePermission


class PermissionCode(models.TextChoices):
    USERS_MANAGE = "users.manage", "Manage the company's users"
    ROLES_MANAGE = "roles.manage", "Manage roles and their permissions"
    COMPANY_MANAGE = "company.manage", "Manage company settings and integrations"
    CHATS_VIEW_ALL = "chats.view_all", "See every chat, not only own and unassigned"
    CHATS_ASSIGN = "chats.assign", "Assign chats to agents"
    CHATS_REPLY = "chats.reply", "Reply to customers"
    TEMPLATES_MANAGE = "templates.manage", "Manage WhatsApp templates and stickers"
    HELPDESK_VIEW = "helpdesk.view", "Read GLPI tickets, inventory and statistics"
    HELPDESK_EDIT = "helpdesk.edit", "Create and update GLPI tickets"
    ASSISTANT_USE = "assistant.use", "Use the AI assistant"
    AI_RUN = "ai.run", "Run AI insights, summaries and drafts on chats"
    LOGS_VIEW = "logs.view", "Read interaction logs"


_SUPERVISOR_EXCLUDED = {
    PermissionCode.USERS_MANAGE,
    PermissionCode.ROLES_MANAGE,
    PermissionCode.COMPANY_MANAGE,
}
DEFAULT_ROLES: dict[str, list[str]] = {
    "admin": list(PermissionCode.values),
    "supervisor": [
        code for code in PermissionCode.values if code not in _SUPERVISOR_EXCLUDED
    ],
    "agent": [
        PermissionCode.CHATS_REPLY,
        PermissionCode.HELPDESK_VIEW,
        PermissionCode.ASSISTANT_USE,
        PermissionCode.AI_RUN,
    ],
}
ADMIN_ROLE = "admin"


class HasPermission(BasePermission):
    """Grants access when the user's role holds the view's `required_permission`.

    A view may instead set `required_permissions = {"GET": code, "PATCH": code}` to ask
    for a code per method; a method that is absent needs no code beyond being signed in.
    """

    message = "Your role does not allow this action."

    def has_permission(self, request, view) -> bool:
        code = _required_code(view, request.method)
        return code is None or request.user.has_company_permission(code)


def _required_code(view, method: str) -> str | None:
    per_method = getattr(view, "required_permissions", None)
    if per_method is not None:
        return per_method.get(method)
    return getattr(view, "required_permission", None)

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Company, Role, User
from accounts.permissions import ADMIN_ROLE
from accounts.services import company_create
from helpdesk.models import GlpiConnection
from helpdesk.services import connection_save


class Command(BaseCommand):
    help = (
        "Creates the default company, its admin user (ADMIN_USERNAME, ADMIN_EMAIL, "
        "ADMIN_PASSWORD; a password is generated and printed once if none is set) and, "
        "when GLPI_URL is set, its GLPI connection. Safe to run twice."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        company = Company.objects.order_by("id").first() or company_create(
            name=settings.DEFAULT_COMPANY_NAME
        )
        self._ensure_admin(company)
        self._ensure_glpi_connection(company)

    def _ensure_admin(self, company: Company) -> None:
        username = settings.ADMIN_USERNAME
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin user '{username}' already exists; nothing to do.")
            return
        password = settings.ADMIN_PASSWORD or secrets.token_urlsafe(12)
        User.objects.create_superuser(
            username=username,
            email=settings.ADMIN_EMAIL,
            password=password,
            company=company,
            role=Role.objects.get(company=company, name=ADMIN_ROLE),
            full_name="Administrator",
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Created company '{company}' and admin user '{username}'."
            )
        )
        if not settings.ADMIN_PASSWORD:
            self.stdout.write(f"Generated password (shown once): {password}")

    def _ensure_glpi_connection(self, company: Company) -> None:
        if (
            not settings.GLPI_URL
            or GlpiConnection.objects.for_company(company).exists()
        ):
            return
        connection_save(
            company=company,
            data={
                "url": settings.GLPI_URL,
                "app_token": settings.GLPI_APP_TOKEN,
                "user_token": settings.GLPI_USER_TOKEN,
            },
        )
        self.stdout.write(
            f"Configured the GLPI connection of '{company}' from GLPI_URL."
        )

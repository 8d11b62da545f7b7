"""Company scoping in one place: the model base, its queryset and the API view base."""

from django.db import models
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from accounts.permissions import HasPermission
from project.errors import PermissionDenied


class CompanyQuerySet(models.QuerySet):
    def for_company(self, company) -> "CompanyQuerySet":
        return self.filter(company=company)


class CompanyOwned(models.Model):
    """Abstract base of every model that belongs to one company."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+"
    )

    objects = CompanyQuerySet.as_manager()

    class Meta:
        abstract = True


class CompanyAPIView(GenericAPIView):
    """Base of every company-scoped endpoint: resolves `self.company` once.

    Subclasses set `required_permission` (or `required_permissions` per method) and
    build their querysets from `self.company`; an object of another company is a 404.
    """

    permission_classes = [IsAuthenticated, HasPermission]

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if request.user.company_id is None:
            raise PermissionDenied("Your account does not belong to a company.")
        if not request.user.company.is_active:
            raise PermissionDenied("Your company's account is deactivated.")

    @property
    def company(self):
        if getattr(self, "swagger_fake_view", False):
            return None  # schema generation inspects querysets without a signed-in user
        return self.request.user.company

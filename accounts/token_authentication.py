"""JWT authentication for the API. Apart from accounts.authentication, which imports
Django's ModelBackend and so cannot be loaded while DRF's settings are read."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication


class _UsersWithCompanyAndRole:
    """Stands in for the user model where simplejwt looks a token's user up."""

    def __init__(self, user_model) -> None:
        self.objects = user_model.objects.select_related("company", "role")
        self.DoesNotExist = user_model.DoesNotExist


class CompanyJWTAuthentication(JWTAuthentication):
    """simplejwt's JWT authentication, loading the user's company and role in the same
    query: tenancy and permission checks read them on every request."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_model = _UsersWithCompanyAndRole(self.user_model)


class CompanyJWTScheme(SimpleJWTScheme):
    """Documents CompanyJWTAuthentication in the OpenAPI schema as simplejwt's bearer
    scheme (drf-spectacular finds extensions by their target class)."""

    target_class = CompanyJWTAuthentication

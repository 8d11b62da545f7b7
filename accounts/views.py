from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.mixins import ListModelMixin
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenRefreshSerializer

from accounts import serializers as s
from accounts.permissions import PermissionCode
from accounts.selectors import role_get, role_list, user_get, user_list
from accounts.services import (
    account_register,
    auth_login,
    auth_logout,
    company_update,
    role_create,
    role_delete,
    role_update,
    tokens_for_user,
    user_change_password,
    user_create,
    user_deactivate,
    user_set_preferences,
    user_update,
)
from accounts.tenancy import CompanyAPIView


def _session_payload(user) -> dict:
    return {**tokens_for_user(user=user), "user": s.UserOutputSerializer(user).data}


class PublicAPIView(APIView):
    """An endpoint reachable without credentials (and without session CSRF checks)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Without authenticators DRF would turn 401 into 403; credentials are the issue.
        return 'Bearer realm="api"'


# --- /api/auth/ ----------------------------------------------------------------------------


class LoginView(PublicAPIView):
    @extend_schema(
        request=s.LoginInputSerializer,
        responses={
            200: s.SessionOutputSerializer,
            401: OpenApiResponse(description="Bad credentials"),
            429: OpenApiResponse(description="Too many failed attempts"),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.LoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = auth_login(
            request=request._request,
            identifier=data.get("username") or data["email"],
            password=data["password"],
        )
        return Response(_session_payload(user))


class RefreshView(PublicAPIView):
    @extend_schema(
        request=s.RefreshInputSerializer, responses={200: s.TokenPairOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        s.RefreshInputSerializer(data=request.data).is_valid(raise_exception=True)
        serializer = TokenRefreshSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return Response(serializer.validated_data)


class LogoutView(PublicAPIView):
    @extend_schema(request=s.RefreshInputSerializer, responses={205: None})
    def post(self, request: Request) -> Response:
        serializer = s.RefreshInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        auth_logout(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_205_RESET_CONTENT)


class RegisterView(PublicAPIView):
    @extend_schema(
        request=s.RegisterInputSerializer, responses={201: s.SessionOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = s.RegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = account_register(**serializer.validated_data)
        return Response(_session_payload(user), status=status.HTTP_201_CREATED)


# --- /api/users/me ---------------------------------------------------------------------------


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.UserOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.UserOutputSerializer(request.user).data)

    @extend_schema(
        request=s.ProfileUpdateInputSerializer, responses=s.UserOutputSerializer
    )
    def patch(self, request: Request) -> Response:
        serializer = s.ProfileUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update(user=request.user, data=serializer.validated_data)
        return Response(s.UserOutputSerializer(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request) -> Response:
        user_deactivate(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePasswordView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.PasswordChangeInputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        serializer = s.PasswordChangeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_change_password(user=request.user, **serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MePreferencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=s.PreferencesSerializer, responses=s.PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(request.user.preferences)

    @extend_schema(request=s.PreferencesSerializer, responses=s.PreferencesSerializer)
    def put(self, request: Request) -> Response:
        serializer = s.PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            user_set_preferences(
                user=request.user, preferences=serializer.validated_data
            )
        )


# --- /api/users/ ------------------------------------------------------------------------------


class UserListCreateView(ListModelMixin, CompanyAPIView):
    required_permission = PermissionCode.USERS_MANAGE
    serializer_class = s.UserOutputSerializer
    filterset_fields = ["role", "is_active"]
    search_fields = ["username", "email", "full_name"]
    ordering_fields = ["username", "full_name", "date_joined", "last_login"]

    def get_queryset(self):
        return user_list(company=self.company)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=s.UserCreateInputSerializer, responses={201: s.UserOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = s.UserCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = user_create(company=self.company, role_id=data.pop("role"), **data)
        return Response(
            s.UserOutputSerializer(user).data, status=status.HTTP_201_CREATED
        )


class UserDetailView(CompanyAPIView):
    required_permission = PermissionCode.USERS_MANAGE
    serializer_class = s.UserOutputSerializer

    def get(self, request: Request, user_id: int) -> Response:
        return Response(
            s.UserOutputSerializer(user_get(company=self.company, user_id=user_id)).data
        )

    @extend_schema(
        request=s.UserUpdateInputSerializer, responses=s.UserOutputSerializer
    )
    def put(self, request: Request, user_id: int) -> Response:
        return self._update(request, user_id, partial=False)

    @extend_schema(
        request=s.UserUpdateInputSerializer, responses=s.UserOutputSerializer
    )
    def patch(self, request: Request, user_id: int) -> Response:
        return self._update(request, user_id, partial=True)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, user_id: int) -> Response:
        user_deactivate(
            user=user_get(company=self.company, user_id=user_id),
            acting_user=request.user,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, user_id: int, *, partial: bool) -> Response:
        user = user_get(company=self.company, user_id=user_id)
        serializer = s.UserUpdateInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        user = user_update(
            user=user, data=serializer.validated_data, acting_user=request.user
        )
        return Response(s.UserOutputSerializer(user).data)


# --- /api/roles/ --------------------------------------------------------------------------------


class RoleListCreateView(ListModelMixin, CompanyAPIView):
    required_permission = PermissionCode.ROLES_MANAGE
    serializer_class = s.RoleOutputSerializer
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return role_list(company=self.company)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(
        request=s.RoleInputSerializer, responses={201: s.RoleOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = s.RoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        role = role_create(company=self.company, **serializer.validated_data)
        output = s.RoleOutputSerializer(self.get_queryset().get(id=role.id))
        return Response(output.data, status=status.HTTP_201_CREATED)


class RoleDetailView(CompanyAPIView):
    required_permission = PermissionCode.ROLES_MANAGE
    serializer_class = s.RoleOutputSerializer

    def _role(self, role_id: int):
        return role_get(company=self.company, role_id=role_id)

    def get(self, request: Request, role_id: int) -> Response:
        return Response(s.RoleOutputSerializer(self._role(role_id)).data)

    @extend_schema(request=s.RoleInputSerializer, responses=s.RoleOutputSerializer)
    def put(self, request: Request, role_id: int) -> Response:
        return self._update(request, role_id, partial=False)

    @extend_schema(request=s.RoleInputSerializer, responses=s.RoleOutputSerializer)
    def patch(self, request: Request, role_id: int) -> Response:
        return self._update(request, role_id, partial=True)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="Role still held by users"),
        }
    )
    def delete(self, request: Request, role_id: int) -> Response:
        role_delete(role=self._role(role_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, role_id: int, *, partial: bool) -> Response:
        role = self._role(role_id)
        serializer = s.RoleInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        role_update(role=role, data=serializer.validated_data, acting_user=request.user)
        return Response(s.RoleOutputSerializer(self._role(role_id)).data)


class PermissionListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.PermissionOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            [
                {"code": code, "description": label}
                for code, label in PermissionCode.choices
            ]
        )


# --- /api/company -------------------------------------------------------------------------------


class CompanyView(CompanyAPIView):
    required_permissions = {"PATCH": PermissionCode.COMPANY_MANAGE}
    serializer_class = s.CompanyOutputSerializer

    def get(self, request: Request) -> Response:
        return Response(s.CompanyOutputSerializer(self.company).data)

    @extend_schema(
        request=s.CompanyUpdateInputSerializer, responses=s.CompanyOutputSerializer
    )
    def patch(self, request: Request) -> Response:
        serializer = s.CompanyUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        company = company_update(company=self.company, data=serializer.validated_data)
        return Response(s.CompanyOutputSerializer(company).data)

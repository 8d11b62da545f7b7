from rest_framework import serializers

from accounts.models import Company, Role, User
from accounts.permissions import PermissionCode


class CompanyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Company
        fields = ["id", "name", "slug", "settings", "is_active", "created_at"]


class CompanyUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)
    settings = serializers.DictField(required=False)


class RoleSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name"]


class RoleOutputSerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=PermissionCode.choices)
    )
    user_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Role
        fields = ["id", "name", "permissions", "user_count", "created_at", "updated_at"]


class RoleInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=PermissionCode.choices),
        max_length=len(PermissionCode),
    )


class PermissionOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()


class UserOutputSerializer(serializers.ModelSerializer):
    company = CompanyOutputSerializer(read_only=True)
    role = RoleSummarySerializer(read_only=True)
    permissions = serializers.ListField(
        source="permission_codes", child=serializers.CharField()
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "company",
            "role",
            "permissions",
            "is_active",
            "is_staff",
            "last_login",
            "date_joined",
        ]


def username_field(**kwargs) -> serializers.RegexField:
    return serializers.RegexField(
        r"^[\w.@+-]+\Z",
        max_length=150,
        error_messages={"invalid": "Use letters, digits and @/./+/-/_ only."},
        **kwargs,
    )


class UserCreateInputSerializer(serializers.Serializer):
    username = username_field()
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    full_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    role = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    password = serializers.CharField(
        required=False, allow_blank=True, max_length=128, write_only=True
    )
    is_active = serializers.BooleanField(required=False, default=True)


class UserUpdateInputSerializer(UserCreateInputSerializer):
    """The same fields as creation, each optional (PATCH) or all given (PUT)."""


class ProfileUpdateInputSerializer(serializers.Serializer):
    username = username_field(required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class PasswordChangeInputSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=128)


class PreferencesSerializer(serializers.Serializer):
    """A free JSON object (language, theme, default model…)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Preferences must be a JSON object."]}
            )
        return data

    def to_representation(self, instance):
        return instance


class LoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=254, required=False)
    email = serializers.CharField(max_length=254, required=False)
    password = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate(self, attrs):
        if not attrs.get("username") and not attrs.get("email"):
            raise serializers.ValidationError(
                {"username": ["Give a username or an email."]}
            )
        return attrs


class RegisterInputSerializer(serializers.Serializer):
    username = username_field()
    email = serializers.EmailField()
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    company_name = serializers.CharField(max_length=150)


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=4096)


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class SessionOutputSerializer(TokenPairOutputSerializer):
    user = UserOutputSerializer()

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("users/me", views.MeView.as_view(), name="me"),
    path("users/me/password", views.MePasswordView.as_view(), name="me-password"),
    path(
        "users/me/preferences", views.MePreferencesView.as_view(), name="me-preferences"
    ),
    path("users/", views.UserListCreateView.as_view(), name="user-list"),
    path("users/<int:user_id>", views.UserDetailView.as_view(), name="user-detail"),
    path("roles/", views.RoleListCreateView.as_view(), name="role-list"),
    path(
        "roles/permissions", views.PermissionListView.as_view(), name="role-permissions"
    ),
    path("roles/<int:role_id>", views.RoleDetailView.as_view(), name="role-detail"),
    path("company", views.CompanyView.as_view(), name="company"),
]

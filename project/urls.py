from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)

from project import views

urlpatterns = [
    path("health", views.HealthView.as_view(), name="health"),
    path("status", views.StatusPageView.as_view(), name="status-page"),
    path("metrics", views.MetricsView.as_view(), name="metrics"),
    path("api/status", views.StatusView.as_view(), name="status"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api-auth/", include("rest_framework.urls")),
    path("api/", include("accounts.urls")),
    path("api/assistant/", include("assistant.urls")),
    path("api/", include("messaging.urls")),
    path("api/helpdesk/", include("helpdesk.urls")),
    path("admin/", admin.site.urls),
]

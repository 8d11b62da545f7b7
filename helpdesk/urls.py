from django.urls import path

from helpdesk import views

app_name = "helpdesk"

urlpatterns = [
    path("tickets", views.TicketListCreateView.as_view(), name="ticket-list"),
    path(
        "tickets/<int:ticket_id>",
        views.TicketDetailView.as_view(),
        name="ticket-detail",
    ),
    path(
        "tickets/<int:ticket_id>/followups",
        views.TicketFollowupCreateView.as_view(),
        name="ticket-followup-create",
    ),
    path("inventory", views.ComputerListView.as_view(), name="computer-list"),
    path(
        "inventory/<int:computer_id>",
        views.ComputerDetailView.as_view(),
        name="computer-detail",
    ),
    path("statistics", views.StatisticsView.as_view(), name="statistics"),
    path("connection", views.ConnectionView.as_view(), name="connection"),
    path("connection/test", views.ConnectionTestView.as_view(), name="connection-test"),
]

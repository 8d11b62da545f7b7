from django import forms
from django.contrib import admin, messages

from helpdesk.models import GlpiConnection, TicketChatLink
from helpdesk.services import connection_save, connection_test

TOKEN_HELP = "Write-only: leave empty to keep the stored token."


class GlpiConnectionForm(forms.ModelForm):
    app_token = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text=TOKEN_HELP
    )
    user_token = forms.CharField(
        required=False, widget=forms.PasswordInput, help_text=TOKEN_HELP
    )

    class Meta:
        model = GlpiConnection
        fields = [
            "company",
            "url",
            "app_token",
            "user_token",
            "enabled",
            "timeout",
            "verify_tls",
            "timezone",
        ]

    def clean_user_token(self) -> str | None:
        token = self.cleaned_data["user_token"]
        if not token and not (self.instance.pk and self.instance.user_token):
            raise forms.ValidationError("A user token is needed to reach GLPI.")
        return token


@admin.register(GlpiConnection)
class GlpiConnectionAdmin(admin.ModelAdmin):
    form = GlpiConnectionForm
    list_display = [
        "company",
        "url",
        "enabled",
        "last_check_ok",
        "last_checked_at",
        "updated_at",
    ]
    list_filter = ["company", "enabled", "last_check_ok"]
    search_fields = ["company__name", "url"]
    readonly_fields = [
        "last_checked_at",
        "last_check_ok",
        "last_check_detail",
        "created_at",
        "updated_at",
    ]
    actions = ["test_connections"]

    def save_model(self, request, obj, form, change) -> None:
        data = {
            field: value
            for field, value in form.cleaned_data.items()
            if field != "company"
        }
        for token in ("app_token", "user_token"):
            data[token] = data[token] or None  # empty: keep what is stored
        saved = connection_save(company=form.cleaned_data["company"], data=data)
        obj.pk = saved.pk

    @admin.action(description="Test the selected connections")
    def test_connections(self, request, queryset) -> None:
        for connection in queryset.select_related("company"):
            ok, detail = connection_test(company=connection.company)
            self.message_user(
                request,
                f"{connection.company}: {detail}",
                messages.SUCCESS if ok else messages.ERROR,
            )


@admin.register(TicketChatLink)
class TicketChatLinkAdmin(admin.ModelAdmin):
    list_display = ["ticket_id", "chat", "company", "created_by", "created_at"]
    list_filter = ["company", "created_at"]
    search_fields = ["=ticket_id", "chat__contact__phone", "chat__contact__name"]
    list_select_related = ["company", "chat__contact", "created_by"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["chat"]

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyAPIView
from helpdesk import serializers as s
from helpdesk.models import GlpiConnection
from helpdesk.selectors import (
    Page,
    computer_get,
    computer_list,
    linked_chat_ids,
    statistics,
    ticket_get,
    ticket_list,
)
from helpdesk.services import (
    connection_save,
    connection_test,
    followup_create,
    ticket_create,
    ticket_update,
)
from project.errors import NotFound


class HelpdeskAPIView(CompanyAPIView):
    """GLPI answers come from the company's GLPI server, not from a queryset."""

    required_permission = PermissionCode.HELPDESK_VIEW
    filter_backends: list = []
    pagination_class = None

    def paginated(
        self, request: Request, page: Page, query: dict, serializer
    ) -> Response:
        """`{count, next, previous, results}` built from GLPI's total."""
        url = request.build_absolute_uri()
        number, size = query["page"], query["page_size"]
        next_url = (
            replace_query_param(url, "page", number + 1)
            if number * size < page.total
            else None
        )
        previous_url = None
        if number > 1:
            previous_url = (
                replace_query_param(url, "page", number - 1)
                if number > 2
                else remove_query_param(url, "page")
            )
        return Response(
            {
                "count": page.total,
                "next": next_url,
                "previous": previous_url,
                "results": serializer(
                    [asdict(item) for item in page.items], many=True
                ).data,
            }
        )


def _window(query: dict) -> dict:
    return {
        "start": (query["page"] - 1) * query["page_size"],
        "limit": query["page_size"],
    }


def _filters(query: dict) -> dict:
    return {
        key: value for key, value in query.items() if key not in ("page", "page_size")
    }


class TicketListCreateView(HelpdeskAPIView):
    required_permissions = {
        "GET": PermissionCode.HELPDESK_VIEW,
        "POST": PermissionCode.HELPDESK_EDIT,
    }

    @extend_schema(
        parameters=[s.TicketListQuerySerializer],
        responses=s.TicketOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = s.TicketListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = ticket_list(
            company=self.company,
            filters=_filters(query.validated_data),
            **_window(query.validated_data),
        )
        return self.paginated(
            request, page, query.validated_data, s.TicketOutputSerializer
        )

    @extend_schema(
        request=s.TicketCreateInputSerializer, responses={201: s.TicketOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = s.TicketCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = ticket_create(
            company=self.company,
            data=data,
            chat_id=data.pop("chat", None),
            user=request.user,
        )
        return Response(
            s.TicketOutputSerializer(asdict(ticket)).data,
            status=status.HTTP_201_CREATED,
        )


class TicketDetailView(HelpdeskAPIView):
    required_permissions = {
        "GET": PermissionCode.HELPDESK_VIEW,
        "PATCH": PermissionCode.HELPDESK_EDIT,
    }

    @extend_schema(responses=s.TicketDetailOutputSerializer)
    def get(self, request: Request, ticket_id: int) -> Response:
        ticket, followups = ticket_get(company=self.company, ticket_id=ticket_id)
        chats = linked_chat_ids(company=self.company, ticket_id=ticket_id)
        data = {
            **asdict(ticket),
            "followups": [asdict(f) for f in followups],
            "chats": chats,
        }
        return Response(s.TicketDetailOutputSerializer(data).data)

    @extend_schema(
        request=s.TicketUpdateInputSerializer, responses=s.TicketOutputSerializer
    )
    def patch(self, request: Request, ticket_id: int) -> Response:
        serializer = s.TicketUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        ticket = ticket_update(
            company=self.company, ticket_id=ticket_id, data=serializer.validated_data
        )
        return Response(s.TicketOutputSerializer(asdict(ticket)).data)


class TicketFollowupCreateView(HelpdeskAPIView):
    required_permission = PermissionCode.HELPDESK_EDIT

    @extend_schema(
        request=s.FollowupCreateInputSerializer,
        responses={201: s.FollowupOutputSerializer},
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        serializer = s.FollowupCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        followup = followup_create(
            company=self.company, ticket_id=ticket_id, **serializer.validated_data
        )
        return Response(
            s.FollowupOutputSerializer(asdict(followup)).data,
            status=status.HTTP_201_CREATED,
        )


class ComputerListView(HelpdeskAPIView):
    @extend_schema(
        parameters=[s.ComputerListQuerySerializer],
        responses=s.ComputerOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = s.ComputerListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = computer_list(
            company=self.company,
            filters=_filters(query.validated_data),
            **_window(query.validated_data),
        )
        return self.paginated(
            request, page, query.validated_data, s.ComputerOutputSerializer
        )


class ComputerDetailView(HelpdeskAPIView):
    @extend_schema(responses=s.ComputerOutputSerializer)
    def get(self, request: Request, computer_id: int) -> Response:
        computer = computer_get(company=self.company, computer_id=computer_id)
        return Response(s.ComputerOutputSerializer(asdict(computer)).data)


class StatisticsView(HelpdeskAPIView):
    @extend_schema(responses=s.StatisticsOutputSerializer)
    def get(self, request: Request) -> Response:
        return Response(
            s.StatisticsOutputSerializer(statistics(company=self.company)).data
        )


class ConnectionView(HelpdeskAPIView):
    required_permission = PermissionCode.COMPANY_MANAGE

    @extend_schema(responses=s.ConnectionOutputSerializer)
    def get(self, request: Request) -> Response:
        connection = GlpiConnection.objects.for_company(self.company).first()
        if connection is None:
            raise NotFound("No GLPI connection is configured yet; PUT one here.")
        return Response(s.ConnectionOutputSerializer(connection).data)

    @extend_schema(
        request=s.ConnectionInputSerializer, responses=s.ConnectionOutputSerializer
    )
    def put(self, request: Request) -> Response:
        serializer = s.ConnectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        connection = connection_save(
            company=self.company, data=serializer.validated_data
        )
        return Response(s.ConnectionOutputSerializer(connection).data)


class ConnectionTestView(HelpdeskAPIView):
    required_permission = PermissionCode.COMPANY_MANAGE

    @extend_schema(request=None, responses=s.ConnectionTestOutputSerializer)
    def post(self, request: Request) -> Response:
        ok, detail = connection_test(company=self.company)
        return Response({"ok": ok, "detail": detail})

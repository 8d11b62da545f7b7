"""`/api/appointments`: meetings booked with contacts, for agents who reply."""

from datetime import timedelta

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyAPIView
from messaging.models import Appointment
from messaging.selectors_catalog import appointment_get, appointment_list
from messaging.services.appointments import (
    MAX_DURATION_MINUTES,
    appointment_create,
    appointment_delete,
    appointment_update,
)

NOT_FOUND = OpenApiResponse(description="Not found in your company")
OVERLAP = OpenApiResponse(description="The contact already has an appointment then")


class AppointmentInputSerializer(serializers.Serializer):
    chat = serializers.IntegerField(required=False, allow_null=True)
    contact = serializers.IntegerField(
        required=False, allow_null=True, help_text="Defaults to the chat's contact"
    )
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(
        min_value=5, max_value=MAX_DURATION_MINUTES, default=30
    )
    notes = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    status = serializers.ChoiceField(
        choices=Appointment.Status.choices, default=Appointment.Status.SCHEDULED
    )


class AppointmentListFilterInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Appointment.Status.choices, required=False)
    chat = serializers.IntegerField(required=False, min_value=1)
    contact = serializers.IntegerField(required=False, min_value=1)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be declared as attributes.
        fields["from"] = serializers.DateTimeField(
            required=False, source="starts_from", help_text="Starting at or after"
        )
        fields["to"] = serializers.DateTimeField(
            required=False, source="starts_to", help_text="Starting at or before"
        )
        return fields


class AppointmentContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    phone = serializers.CharField()
    name = serializers.CharField()


class AppointmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    chat = serializers.IntegerField(source="chat_id", allow_null=True)
    contact = AppointmentContactOutputSerializer()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.SerializerMethodField()
    duration_minutes = serializers.IntegerField()
    notes = serializers.CharField()
    status = serializers.ChoiceField(choices=Appointment.Status.choices)
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.DateTimeField())
    def get_ends_at(self, appointment: Appointment) -> str:
        ends_at = appointment.starts_at + timedelta(
            minutes=appointment.duration_minutes
        )
        return serializers.DateTimeField().to_representation(ends_at)


class AppointmentAPIView(CompanyAPIView):
    required_permission = PermissionCode.CHATS_REPLY
    filter_backends: list = []  # filters are parsed by an input serializer


class AppointmentListCreateView(AppointmentAPIView):
    @extend_schema(
        parameters=[AppointmentListFilterInputSerializer],
        responses=AppointmentOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = AppointmentListFilterInputSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        appointments = appointment_list(company=self.company, **filters.validated_data)
        page = self.paginate_queryset(appointments)
        return self.get_paginated_response(
            AppointmentOutputSerializer(page, many=True).data
        )

    @extend_schema(
        request=AppointmentInputSerializer,
        responses={201: AppointmentOutputSerializer, 409: OVERLAP},
    )
    def post(self, request: Request) -> Response:
        serializer = AppointmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        appointment = appointment_create(
            company=self.company,
            user=request.user,
            chat_id=data.pop("chat", None),
            contact_id=data.pop("contact", None),
            **data,
        )
        return Response(
            AppointmentOutputSerializer(appointment).data,
            status=status.HTTP_201_CREATED,
        )


class AppointmentDetailView(AppointmentAPIView):
    def appointment(self, appointment_id: int) -> Appointment:
        return appointment_get(company=self.company, appointment_id=appointment_id)

    @extend_schema(responses={200: AppointmentOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, appointment_id: int) -> Response:
        return Response(
            AppointmentOutputSerializer(self.appointment(appointment_id)).data
        )

    @extend_schema(
        request=AppointmentInputSerializer,
        responses={200: AppointmentOutputSerializer, 404: NOT_FOUND, 409: OVERLAP},
    )
    def patch(self, request: Request, appointment_id: int) -> Response:
        appointment = self.appointment(appointment_id)
        serializer = AppointmentInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        appointment = appointment_update(
            appointment=appointment, data=serializer.validated_data
        )
        return Response(AppointmentOutputSerializer(appointment).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request: Request, appointment_id: int) -> Response:
        appointment_delete(appointment=self.appointment(appointment_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

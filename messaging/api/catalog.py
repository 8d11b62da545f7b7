"""`/api/channels`, `/api/templates` and `/api/stickers`: the company's WhatsApp
lines and what agents send through them. Each view parses its input, calls one
selector or service and renders the result."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import PermissionCode
from accounts.tenancy import CompanyAPIView
from messaging.api import catalog_serializers as s
from messaging.models import Template, WhatsAppChannel
from messaging.selectors_catalog import (
    channel_get,
    channel_list,
    sticker_get,
    sticker_list,
    sticker_mime_type,
    template_get,
    template_list,
)
from messaging.services.catalog import (
    channel_create,
    channel_delete,
    channel_rotate_token,
    channel_update,
    sticker_create,
    sticker_delete,
    template_create,
    template_delete,
    template_sync,
    template_update,
)
from project.errors import NotFound

NOT_FOUND = OpenApiResponse(description="Not found in your company")
UPSTREAM = OpenApiResponse(description="YCloud refused, failed or timed out")
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class ReadsCatalog(BasePermission):
    """Templates and stickers are read by whoever replies or manages them."""

    message = "Your role does not allow this action."

    def has_permission(self, request: Request, view: object) -> bool:
        return request.method not in SAFE_METHODS or any(
            request.user.has_company_permission(code)
            for code in (PermissionCode.CHATS_REPLY, PermissionCode.TEMPLATES_MANAGE)
        )


class CatalogAPIView(CompanyAPIView):
    permission_classes = [*CompanyAPIView.permission_classes, ReadsCatalog]
    required_permissions = dict.fromkeys(WRITES, PermissionCode.TEMPLATES_MANAGE)
    filter_backends: list = []  # filters are parsed by input serializers


# --- Channels ---------------------------------------------------------------------------


class ChannelAPIView(CompanyAPIView):
    required_permission = PermissionCode.COMPANY_MANAGE
    filter_backends: list = []

    def render(
        self, channel: WhatsAppChannel, *, code: int = status.HTTP_200_OK
    ) -> Response:
        context = {"request": self.request}
        return Response(s.ChannelOutputSerializer(channel, context=context).data, code)


class ChannelListCreateView(ChannelAPIView):
    @extend_schema(responses=s.ChannelOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(channel_list(company=self.company))
        context = {"request": request}
        return self.get_paginated_response(
            s.ChannelOutputSerializer(page, many=True, context=context).data
        )

    @extend_schema(
        request=s.ChannelInputSerializer, responses={201: s.ChannelOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = s.ChannelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        channel = channel_create(company=self.company, **serializer.validated_data)
        return self.render(channel, code=status.HTTP_201_CREATED)


class ChannelDetailView(ChannelAPIView):
    def channel(self, channel_id: int) -> WhatsAppChannel:
        return channel_get(company=self.company, channel_id=channel_id)

    @extend_schema(responses={200: s.ChannelOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, channel_id: int) -> Response:
        return self.render(self.channel(channel_id))

    @extend_schema(
        request=s.ChannelInputSerializer,
        responses={200: s.ChannelOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request: Request, channel_id: int) -> Response:
        channel = self.channel(channel_id)
        serializer = s.ChannelInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.render(
            channel_update(channel=channel, data=serializer.validated_data)
        )

    @extend_schema(
        responses={
            204: None,
            404: NOT_FOUND,
            409: OpenApiResponse(description="The channel has chats; deactivate it"),
        }
    )
    def delete(self, request: Request, channel_id: int) -> Response:
        channel_delete(channel=self.channel(channel_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ChannelRotateTokenView(ChannelAPIView):
    @extend_schema(
        request=None, responses={200: s.ChannelOutputSerializer, 404: NOT_FOUND}
    )
    def post(self, request: Request, channel_id: int) -> Response:
        channel = channel_get(company=self.company, channel_id=channel_id)
        return self.render(channel_rotate_token(channel=channel))


# --- Templates --------------------------------------------------------------------------


class TemplateListCreateView(CatalogAPIView):
    @extend_schema(
        parameters=[s.TemplateListFilterInputSerializer],
        responses=s.TemplateOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        filters = s.TemplateListFilterInputSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        templates = template_list(company=self.company, **filters.validated_data)
        page = self.paginate_queryset(templates)
        return self.get_paginated_response(
            s.TemplateOutputSerializer(page, many=True).data
        )

    @extend_schema(
        request=s.TemplateInputSerializer, responses={201: s.TemplateOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = s.TemplateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        template = template_create(
            company=self.company, channel_id=data.pop("channel"), **data
        )
        return Response(
            s.TemplateOutputSerializer(template).data, status=status.HTTP_201_CREATED
        )


class TemplateDetailView(CatalogAPIView):
    def template(self, template_id: int) -> Template:
        return template_get(company=self.company, template_id=template_id)

    @extend_schema(responses={200: s.TemplateOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, template_id: int) -> Response:
        return Response(s.TemplateOutputSerializer(self.template(template_id)).data)

    @extend_schema(
        request=s.TemplateUpdateInputSerializer,
        responses={200: s.TemplateOutputSerializer, 404: NOT_FOUND},
    )
    def patch(self, request: Request, template_id: int) -> Response:
        template = self.template(template_id)
        serializer = s.TemplateUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        template = template_update(template=template, data=serializer.validated_data)
        return Response(s.TemplateOutputSerializer(template).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request: Request, template_id: int) -> Response:
        template_delete(template=self.template(template_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateSyncView(CatalogAPIView):
    @extend_schema(
        request=s.TemplateSyncInputSerializer,
        responses={
            200: s.TemplateSyncOutputSerializer,
            502: UPSTREAM,
            503: UPSTREAM,
            504: UPSTREAM,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = s.TemplateSyncInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = template_sync(
            company=self.company, channel_id=serializer.validated_data["channel"]
        )
        return Response(s.TemplateSyncOutputSerializer(result).data)


# --- Stickers ---------------------------------------------------------------------------


class StickerListCreateView(CatalogAPIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses=s.StickerOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(sticker_list(company=self.company))
        return self.get_paginated_response(
            s.StickerOutputSerializer(
                page, many=True, context={"request": request}
            ).data
        )

    @extend_schema(
        request={"multipart/form-data": s.StickerCreateInputSerializer},
        responses={201: s.StickerOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = s.StickerCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        sticker = sticker_create(company=self.company, **serializer.validated_data)
        output = s.StickerOutputSerializer(sticker, context={"request": request})
        return Response(output.data, status=status.HTTP_201_CREATED)


class StickerDetailView(CatalogAPIView):
    @extend_schema(responses={200: s.StickerOutputSerializer, 404: NOT_FOUND})
    def get(self, request: Request, sticker_id: int) -> Response:
        sticker = sticker_get(company=self.company, sticker_id=sticker_id)
        return Response(
            s.StickerOutputSerializer(sticker, context={"request": request}).data
        )

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request: Request, sticker_id: int) -> Response:
        sticker_delete(sticker=sticker_get(company=self.company, sticker_id=sticker_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StickerFileView(CatalogAPIView):
    """The sticker's image, only for users of its company (media are not public)."""

    @extend_schema(
        responses={
            (200, "image/webp"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
        }
    )
    def get(self, request: Request, sticker_id: int) -> FileResponse:
        sticker = sticker_get(company=self.company, sticker_id=sticker_id)
        try:
            handle = sticker.file.open("rb")
        except OSError:
            raise NotFound("The sticker's file is missing.") from None
        response = FileResponse(handle, content_type=sticker_mime_type(sticker))
        response["Cache-Control"] = "private, max-age=3600"
        return response

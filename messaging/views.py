from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.selectors import webhook_channel_get
from messaging.serializers import WebhookReceiptOutputSerializer
from messaging.services import webhook_event_receive
from messaging.ycloud.signatures import SIGNATURE_HEADER


class YCloudWebhookView(APIView):
    """YCloud's deliveries for one channel, named by the token in the URL. The
    signature is the authentication, checked on the raw body before parsing."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]  # documents the body; it is read raw, not parsed
    throttle_classes: list = []

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: WebhookReceiptOutputSerializer,
            401: OpenApiResponse(description="Bad, missing or stale signature"),
            404: OpenApiResponse(description="Unknown webhook token"),
        },
        auth=[],
    )
    def post(self, request: Request, token: str) -> Response:
        channel = webhook_channel_get(token=token)
        state = webhook_event_receive(
            channel=channel,
            body=request.body,
            signature=request.headers.get(SIGNATURE_HEADER),
        )
        return Response({"status": state})

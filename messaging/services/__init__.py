"""Writes and workflows of the messaging app, by sub-domain."""

from messaging.services.channels import ycloud_client_for
from messaging.services.inbound import contact_upsert, inbound_message_receive
from messaging.services.media import message_media_download
from messaging.services.notify import chat_updated_send, message_event_send
from messaging.services.statuses import message_status_apply, template_review_apply
from messaging.services.webhooks import webhook_event_process, webhook_event_receive

__all__ = [
    "chat_updated_send",
    "contact_upsert",
    "inbound_message_receive",
    "message_event_send",
    "message_media_download",
    "message_status_apply",
    "template_review_apply",
    "webhook_event_process",
    "webhook_event_receive",
    "ycloud_client_for",
]

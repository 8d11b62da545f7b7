from messaging.models.ai import ChatInsight, ChatSummary
from messaging.models.catalog import Appointment, Sticker, Template
from messaging.models.channels import WebhookEvent, WhatsAppChannel
from messaging.models.inbox import Chat, Contact, Message, Note, Tag

__all__ = [
    "Appointment",
    "Chat",
    "ChatInsight",
    "ChatSummary",
    "Contact",
    "Message",
    "Note",
    "Sticker",
    "Tag",
    "Template",
    "WebhookEvent",
    "WhatsAppChannel",
]

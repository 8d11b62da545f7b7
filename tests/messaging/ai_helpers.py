"""Chats with scripted conversations for the AI tests."""

from messaging.models import Chat, Message, WhatsAppChannel
from tests.messaging.factories import ChatFactory, WhatsAppChannelFactory

IN, OUT = Message.Direction.IN, Message.Direction.OUT

COMPLAINT_ES = [
    (IN, "Hola, buenas tardes"),
    (
        IN,
        "Me llamo Ana García. Estoy muy molesta: el pedido #4521 llegó roto y nadie "
        "me responde desde el 15/03/2024.",
    ),
    (OUT, "Hola Ana, lo revisamos enseguida."),
    (
        IN,
        "Quiero cancelar y que me devuelvan los 59,90 €. Mi correo es "
        "ana.garcia@example.com y mi teléfono +34 612 345 678. Es inaceptable.",
    ),
]
COMPLAINT_EN = [
    (
        IN,
        "Hi, my name is John Smith. My order number 88123 never arrived and I'm "
        "really disappointed. I paid $120.50 on March 3rd.",
    ),
    (OUT, "Sorry John, checking now."),
    (
        IN,
        "This is not good at all. I want a refund. Call me at (555) 123-4567 or "
        "write to john@example.org",
    ),
]


def chat_with(
    turns, *, company=None, contact_name: str = "Ana López", **fields
) -> Chat:
    """A chat of `company` (a new one if None) holding `turns` of (direction, text)."""
    if company is not None:
        fields["channel"] = WhatsAppChannel.objects.filter(
            company=company
        ).first() or WhatsAppChannelFactory(company=company)
    chat = ChatFactory(contact__name=contact_name, **fields)
    for direction, text in turns:
        say(chat, text, direction=direction)
    return chat


def say(chat: Chat, text: str, *, direction: str = IN) -> Message:
    return Message.objects.create(
        company_id=chat.company_id,
        chat=chat,
        channel_id=chat.channel_id,
        direction=direction,
        text=text,
        status=Message.Status.RECEIVED if direction == IN else Message.Status.SENT,
    )

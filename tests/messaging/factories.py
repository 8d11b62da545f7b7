import factory

from messaging.models import Chat, Contact, Message, Template, WhatsAppChannel
from tests.factories import CompanyFactory
from tests.fakes.ycloud_webhooks import BUSINESS_NUMBER


class WhatsAppChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WhatsAppChannel

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Support line {n}")
    phone_number = BUSINESS_NUMBER
    api_key = factory.Sequence(lambda n: f"ycloud-key-{n}")
    webhook_secret = factory.Sequence(lambda n: f"whsec_test_{n:016d}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    company = factory.SubFactory(CompanyFactory)
    phone = factory.Sequence(lambda n: f"+3460{n:07d}")
    name = factory.Faker("name")


class ChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chat

    channel = factory.SubFactory(WhatsAppChannelFactory)
    company = factory.SelfAttribute("channel.company")
    contact = factory.SubFactory(
        ContactFactory, company=factory.SelfAttribute("..company")
    )


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    """A message we sent: YCloud has accepted it under `ycloud_id`."""

    class Meta:
        model = Message

    chat = factory.SubFactory(ChatFactory)
    company = factory.SelfAttribute("chat.company")
    channel = factory.SelfAttribute("chat.channel")
    direction = Message.Direction.OUT
    type = Message.Type.TEXT
    text = "Hola Ana, ya revisamos tu pedido #1001."
    status = Message.Status.ACCEPTED
    ycloud_id = factory.Sequence(lambda n: f"{n:024x}")
    external_id = factory.Sequence(lambda n: f"msg_{n}")


class TemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Template

    channel = factory.SubFactory(WhatsAppChannelFactory)
    company = factory.SelfAttribute("channel.company")
    name = "order_update"
    language = "en"
    category = Template.Category.UTILITY
    status = Template.Status.PENDING

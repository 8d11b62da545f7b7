"""The offline (`local` provider) analysis of chats, in Spanish and English: no
network, honest heuristics."""

import pytest

from assistant.models import InteractionLog
from messaging.ai.local import entities_in, intents_of, sentiment_of
from messaging.ai.services import (
    chat_assist_draft,
    chat_insight_generate,
    chat_summary_generate,
)
from messaging.ai.transcript import CHAR_BUDGET, chat_transcript
from tests.messaging.ai_helpers import COMPLAINT_EN, COMPLAINT_ES, IN, OUT, chat_with

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_provider(settings):
    settings.LLM_PROVIDER = "local"
    settings.LLM_MODEL = ""


def entity_values(insight, kind: str) -> list[str]:
    return [e["value"] for e in insight.entities if e["type"] == kind]


# --- Insights -------------------------------------------------------------------------


def test_a_spanish_complaint_is_negative_with_high_churn_and_its_details(company):
    chat = chat_with(COMPLAINT_ES, company=company)

    insight = chat_insight_generate(chat=chat)

    assert insight.sentiment == "negative"
    assert insight.sentiment_score < 0.3
    assert insight.intents[:2] == ["complaint", "cancellation"]
    assert insight.churn_risk >= 0.7
    assert entity_values(insight, "order") == ["#4521"]
    assert entity_values(insight, "amount") == ["59,90 €"]
    assert entity_values(insight, "email") == ["ana.garcia@example.com"]
    assert entity_values(insight, "phone") == ["+34 612 345 678"]
    assert entity_values(insight, "date") == ["15/03/2024"]
    assert entity_values(insight, "name") == ["Ana García"]
    assert "Escalar a un supervisor" in insight.suggested_actions
    assert "Revisar el pedido #4521" in insight.suggested_actions
    assert 1 <= len(insight.suggested_replies) <= 3
    assert all(
        r.startswith(("Hola Ana", "Buenos días Ana")) for r in insight.suggested_replies
    )
    assert "pedido #4521" in insight.suggested_replies[0]
    assert insight.model == "local:local"
    assert insight.up_to_message_id == chat.messages.order_by("id").last().id


def test_an_english_complaint_is_read_in_english(company):
    chat = chat_with(COMPLAINT_EN, company=company, contact_name="Juan Pérez")

    insight = chat_insight_generate(chat=chat)

    assert insight.sentiment == "negative"
    assert {"complaint", "cancellation"} <= set(insight.intents)
    assert insight.churn_risk >= 0.7
    assert entity_values(insight, "order") == ["#88123"]
    assert entity_values(insight, "amount") == ["$120.50"]
    assert entity_values(insight, "phone") == ["(555) 123-4567"]
    assert entity_values(insight, "email") == ["john@example.org"]
    assert entity_values(insight, "date") == ["March 3rd"]
    assert "Escalate to a supervisor" in insight.suggested_actions
    # The name the customer gave wins over the WhatsApp profile's.
    assert insight.suggested_replies[0].startswith("Hi John, we're really sorry")


def test_a_happy_customer_is_positive_with_low_churn(company):
    chat = chat_with(
        [(IN, "¡Muchas gracias! Todo perfecto, el servicio fue excelente 😊")],
        company=company,
        contact_name="María",
    )

    insight = chat_insight_generate(chat=chat)

    assert insight.sentiment == "positive"
    assert insight.sentiment_score > 0.8
    assert insight.churn_risk < 0.1
    assert insight.intents == ["other"]
    assert (
        insight.suggested_replies[0]
        == "Hola María, ¡gracias a ti! Nos alegra mucho saberlo."
    )


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("La aplicación no funciona", "negative"),
        ("No está mal, la verdad", "positive"),
        ("I'm not happy with this", "negative"),
        ("Sin problema, gracias", "positive"),
        ("No me gusta nada el color", "negative"),
        ("The product is great but the delivery was terrible", "mixed"),
        ("Quiero saber el horario de la tienda", "neutral"),
    ],
)
def test_sentiment_handles_negation_and_mixed_feelings(text, label):
    assert sentiment_of([text]).label == label


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("Quisiera reservar una cita para el lunes", ["booking"]),
        ("How much is the blue jacket? Is it in stock?", ["purchase"]),
        ("Quiero darme de baja y que me hagan el reembolso", ["cancellation"]),
        ("The app shows an error and I cannot log in", ["support"]),
        ("¿Cuál es su horario y dirección?", ["information"]),
        (
            "¿Vienen mañana?",
            ["information"],
        ),  # an unmatched question asks for information
        ("Ok", ["other"]),
    ],
)
def test_intents_come_from_keywords(text, intents):
    assert intents_of([text]) == intents


def test_entities_do_not_overlap():
    found = entities_in(
        "Pedido nº A-1234 y order #123456789: total 1.250,00 EUR, USD 30 o 30 dólares, "
        "el 2024-03-15 o mañana; llámame al 612345678."
    )

    assert found == [
        {"type": "order", "value": "#A-1234"},
        {"type": "order", "value": "#123456789"},  # a long order number is no phone
        {"type": "amount", "value": "1.250,00 EUR"},
        {"type": "amount", "value": "USD 30"},
        {"type": "amount", "value": "30 dólares"},
        {"type": "date", "value": "2024-03-15"},
        {"type": "date", "value": "mañana"},
        {"type": "phone", "value": "612345678"},
    ]


def test_the_local_provider_logs_its_work_like_a_model(company):
    chat = chat_with(COMPLAINT_ES, company=company)

    chat_insight_generate(chat=chat)

    log = InteractionLog.objects.get()
    assert (log.provider, log.model, log.endpoint, log.outcome) == (
        "local",
        "local",
        "chat.insights",
        "ok",
    )
    assert log.company == company and log.user is None
    assert log.prompt_tokens > 0 and log.completion_tokens > 0


# --- Summaries ------------------------------------------------------------------------


def test_a_spanish_summary_tells_the_request_topics_details_and_whats_pending(company):
    chat = chat_with(COMPLAINT_ES, company=company)

    summary = chat_summary_generate(chat=chat)

    text = summary.summary
    assert text.startswith("Ana escribió: «Me llamo Ana García. Estoy muy molesta")
    assert "Temas: queja, cancelación." in text
    assert "Tono del cliente: negativo." in text
    assert "pedido #4521" in text and "importe 59,90 €" in text
    assert text.endswith("Pendiente: el cliente espera respuesta.")
    assert summary.message_count == 4
    assert summary.model == "local:local"


def test_an_english_summary_ends_with_who_answered_last(company):
    chat = chat_with([*COMPLAINT_EN, (OUT, "Refund issued.")], company=company)

    text = chat_summary_generate(chat=chat).summary

    assert text.startswith("John wrote: “Hi, my name is John Smith. My order number")
    assert "Topics: complaint, cancellation." in text
    assert "order #88123" in text
    assert text.endswith("The last message is from the agent.")


def test_a_long_chat_is_cut_to_the_newest_messages_but_keeps_the_first_request(company):
    first = "Necesito cambiar la dirección de envío del pedido #777"
    filler = "x" * 900
    chat = chat_with(
        [(IN, first), *[(OUT, filler)] * 20, (IN, "¿Hay novedades?")], company=company
    )

    transcript = chat_transcript(chat=chat)

    assert transcript.lines[-1].text == "¿Hay novedades?"
    assert sum(len(line.text) for line in transcript.lines) <= CHAR_BUDGET
    assert len(transcript.lines) < 22
    assert transcript.first_request.text == first
    assert transcript.render().startswith(f"Customer (first message): {first}\n[…]")
    assert transcript.message_count == len(transcript.lines) + 1
    summary = chat_summary_generate(chat=chat)
    assert "pedido #777" in summary.summary


# --- Drafts ---------------------------------------------------------------------------


def test_a_proposed_reply_greets_by_name_and_answers_the_last_message(company, user):
    chat = chat_with(COMPLAINT_ES, company=company)

    draft = chat_assist_draft(chat=chat, user=user)

    assert draft.startswith("Hola Ana, sentimos mucho lo ocurrido con el pedido #4521.")
    log = InteractionLog.objects.get()
    assert (log.endpoint, log.user) == ("chat.assist_draft", user)


def test_more_formal_uses_usted_and_a_closing(company, user):
    chat = chat_with(COMPLAINT_ES, company=company)

    draft = chat_assist_draft(chat=chat, user=user, instruction="más formal")

    assert draft.startswith("Buenos días Ana:\n\nLamentamos mucho lo ocurrido")
    assert "su malestar" in draft
    assert draft.endswith("Quedamos a su disposición.")


def test_shorter_keeps_the_first_sentence(company, user):
    chat = chat_with(COMPLAINT_EN, company=company)

    full = chat_assist_draft(chat=chat, user=user)
    short = chat_assist_draft(chat=chat, user=user, instruction="shorter please")

    assert short == "Hi John, we're sorry about what happened with order #88123."
    assert len(short) < len(full)


def test_a_draft_is_polished_not_replaced(company, user):
    chat = chat_with(COMPLAINT_ES, company=company)

    draft = chat_assist_draft(
        chat=chat,
        user=user,
        instruction="Hazlo más formal y pide disculpas",
        draft="tu pedido ya salió!! avísame si no te llega",
    )

    assert draft == (
        "Buenos días Ana:\n\nLe pedimos disculpas por las molestias. Su pedido ya "
        "salió! Avíseme si no le llega.\n\nQuedamos a su disposición."
    )


def test_an_english_draft_loses_its_contractions_when_formal(company, user):
    chat = chat_with(COMPLAINT_EN, company=company)

    draft = chat_assist_draft(
        chat=chat,
        user=user,
        instruction="more formal",
        draft="Hey John, we're on it and we can't wait to fix it. Thanks",
    )

    assert draft == (
        "Hello John,\n\nWe are on it and we cannot wait to fix it. Thank you.\n\n"
        "Kind regards."
    )


def test_the_instruction_can_ask_for_another_language(company, user):
    chat = chat_with(COMPLAINT_ES, company=company)

    draft = chat_assist_draft(chat=chat, user=user, instruction="in English")

    assert draft.startswith("Hi Ana, we're really sorry about what happened with order")


def test_informal_is_friendlier_not_formal(company, user):
    chat = chat_with(COMPLAINT_EN, company=company)

    draft = chat_assist_draft(chat=chat, user=user, instruction="make it informal")

    assert draft.startswith("Hi John, we're really sorry")
    assert draft.endswith("Have a great day! 🙂")

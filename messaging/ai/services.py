"""AI work on inbox chats: insights, summaries, reply drafts and tickets.

Each reads a bounded transcript of the newest messages and asks the company's default
model (the offline heuristics of `local.py` with the `local` provider). Insights and
summaries are stored with the newest message they read, so asking again when nothing
is new returns the stored row without calling the model.
"""

from celery import Task
from celery.utils import uuid
from django.db import transaction

from accounts.models import User
from assistant.providers.base import LLMClient
from helpdesk.mapping import Ticket
from helpdesk.selectors import connection_for
from helpdesk.services import ticket_create
from messaging.ai import phrases as ph
from messaging.ai.errors import ChatEmpty
from messaging.ai.local import detect_language
from messaging.ai.local_writing import (
    local_draft,
    local_insight,
    local_summary,
    local_ticket,
)
from messaging.ai.prompts import draft_turns, insight_turns, summary_turns, ticket_turns
from messaging.ai.results import (
    DRAFT_CHARS,
    SUMMARY_CHARS,
    TITLE_CHARS,
    parse_insight,
    parse_ticket,
    text_parser,
)
from messaging.ai.runner import AICall, ai_run
from messaging.ai.selectors import chat_insight_latest, chat_summary_latest
from messaging.ai.transcript import Transcript, chat_has_messages, chat_transcript
from messaging.models import Chat, ChatInsight, ChatSummary

INSIGHTS_ENDPOINT = "chat.insights"
SUMMARY_ENDPOINT = "chat.summary"
DRAFT_ENDPOINT = "chat.assist_draft"
TICKET_ENDPOINT = "chat.ticket"


def chat_insight_generate(
    *, chat: Chat, user: User | None = None, llm: LLMClient | None = None
) -> ChatInsight:
    transcript = _transcript(chat)
    latest = chat_insight_latest(chat=chat)
    if latest is not None and latest.up_to_message_id == transcript.up_to_message_id:
        return latest
    call = AICall(
        endpoint=INSIGHTS_ENDPOINT,
        turns=insight_turns(transcript),
        parse=parse_insight,
        local=lambda: local_insight(transcript),
        json_mode=True,
    )
    generated = ai_run(call, chat=chat, user=user, llm=llm)
    result = generated.value
    return ChatInsight.objects.create(
        company_id=chat.company_id,
        chat=chat,
        sentiment=result.sentiment,
        sentiment_score=result.sentiment_score,
        intents=result.intents,
        entities=result.entities,
        suggested_actions=result.suggested_actions,
        suggested_replies=result.suggested_replies,
        churn_risk=result.churn_risk,
        model=generated.model,
        up_to_message_id=transcript.up_to_message_id,
    )


def chat_summary_generate(
    *, chat: Chat, user: User | None = None, llm: LLMClient | None = None
) -> ChatSummary:
    transcript = _transcript(chat)
    latest = chat_summary_latest(chat=chat)
    if latest is not None and latest.up_to_message_id == transcript.up_to_message_id:
        return latest
    call = AICall(
        endpoint=SUMMARY_ENDPOINT,
        turns=summary_turns(transcript),
        parse=text_parser(SUMMARY_CHARS),
        local=lambda: local_summary(transcript),
    )
    generated = ai_run(call, chat=chat, user=user, llm=llm)
    return ChatSummary.objects.create(
        company_id=chat.company_id,
        chat=chat,
        summary=generated.value,
        message_count=transcript.message_count,
        model=generated.model,
        up_to_message_id=transcript.up_to_message_id,
    )


def chat_assist_draft(
    *,
    chat: Chat,
    user: User,
    instruction: str = "",
    draft: str = "",
    llm: LLMClient | None = None,
) -> str:
    """A reply for the agent to send: their draft improved, or a proposal."""
    transcript = chat_transcript(chat=chat)
    call = AICall(
        endpoint=DRAFT_ENDPOINT,
        turns=draft_turns(transcript, instruction=instruction, draft=draft),
        parse=text_parser(DRAFT_CHARS),
        local=lambda: local_draft(transcript, instruction=instruction, draft=draft),
    )
    return ai_run(call, chat=chat, user=user, llm=llm).value


def chat_ticket_create(
    *, chat: Chat, user: User, llm: LLMClient | None = None
) -> Ticket:
    """A GLPI ticket linked to the chat, titled and described by the model from the
    chat's summary (brought up to date first)."""
    connection_for(company=chat.company)  # no model calls when GLPI is not set up
    summary = chat_summary_generate(chat=chat, user=user, llm=llm).summary
    transcript = chat_transcript(chat=chat)
    contact = str(chat.contact)
    call = AICall(
        endpoint=TICKET_ENDPOINT,
        turns=ticket_turns(summary=summary, contact=contact),
        parse=parse_ticket,
        local=lambda: local_ticket(transcript, summary=summary),
        json_mode=True,
    )
    text = ai_run(call, chat=chat, user=user, llm=llm).value
    words = ph.TICKET[detect_language([summary])]
    description = (
        f"{text.description}\n\n{words['contact']}: {contact}\n"
        f"{words['chat'].format(id=chat.id)}"
    )
    return ticket_create(
        company=chat.company,
        data={"title": text.title[:TITLE_CHARS], "description": description},
        chat_id=chat.id,
        user=user,
    )


def chat_insights_request(*, chat: Chat) -> str:
    """Queues the insights of the chat once the transaction commits; the task id."""
    from messaging.tasks import chat_insight_generate_task  # the tasks import us

    return _enqueue(chat, chat_insight_generate_task)


def chat_summary_request(*, chat: Chat) -> str:
    """Queues a summary of the chat once the transaction commits; the task id."""
    from messaging.tasks import chat_summary_generate_task  # the tasks import us

    return _enqueue(chat, chat_summary_generate_task)


def _enqueue(chat: Chat, task: Task) -> str:
    """Robust: a failure of the task (run in-process when Celery is eager) is reported
    on the inbox socket, and a broker failure is logged; neither fails the request."""
    if not chat_has_messages(chat=chat):
        raise ChatEmpty("This chat has no messages yet.")
    task_id = uuid()
    # A lambda, not functools.partial: Django 5.2 names a failed robust callback by its
    # __qualname__, which a partial lacks.
    transaction.on_commit(
        lambda: task.apply_async((chat.id,), task_id=task_id), robust=True
    )
    return task_id


def _transcript(chat: Chat) -> Transcript:
    transcript = chat_transcript(chat=chat)
    if not transcript.lines:
        raise ChatEmpty("This chat has no messages yet.")
    return transcript

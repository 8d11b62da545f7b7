"""The agent with a language model: intent extraction in JSON mode, and answers
written from the compact data the actions return."""

import json
import logging
from typing import Any

from assistant.agent.intents import INTENTS, Intent, detect_language
from assistant.providers.base import CompletionOptions, LLMClient, Turn
from project.text import is_ascii_digits

logger = logging.getLogger(__name__)

PARAMS = {
    "consultar_tickets": {"status", "priority", "requester"},
    "buscar_ticket": {"ticket_id"},
    "consultar_inventario": {"itemtype"},
    "buscar_equipo": {"name"},
    "consultar_chats": {"status", "assigned", "waiting_minutes"},
}
INTENT_PROMPT = """You route questions of an IT support team to the right data source.
Answer with one JSON object: {"intent": ..., "confidence": 0..1, "params": {...}}.
Intents and their params:
- consultar_tickets: list or count GLPI tickets. params: status (new, assigned, planned,
  pending, solved, closed, or open = not solved/closed), priority (very_low, low, medium,
  high, very_high, major), requester (login).
- buscar_ticket: one ticket by number. params: ticket_id (integer).
- consultar_inventario: count or list assets. params: itemtype (Computer, Printer,
  Monitor, Phone, NetworkEquipment).
- buscar_equipo: find a computer by name or serial. params: name.
- generar_reporte: helpdesk statistics, a summary or a report. params: none.
- consultar_chats: WhatsApp inbox chats. params: status (open, pending, snoozed,
  resolved), assigned (me or none), waiting_minutes (integer).
- consulta_general: anything else; answered from general knowledge. params: none.
Use a confidence below 0.6 when the question is unclear."""
ANSWER_PROMPT = """You are Mostrador, the assistant of an IT support team.
Answer the question using only the data below (JSON from the team's systems). Give exact
numbers, be brief, and answer in {language}. If the data does not answer the question,
say so."""


def llm_intent(
    llm: LLMClient, *, question: str, model: str
) -> tuple[Intent | None, Any]:
    """The intent the model reads in `question` (None if its JSON is unusable), and the
    completion for the interaction log."""
    completion = llm.complete(
        turns=[Turn("system", INTENT_PROMPT), Turn("user", question)],
        options=CompletionOptions(model=model, temperature=0, json_mode=True),
    )
    return _parse_intent(completion.text, question), completion


def _parse_intent(text: str, question: str) -> Intent | None:
    try:
        reply = json.loads(text)
        name = reply["intent"]
        confidence = max(0.0, min(1.0, float(reply.get("confidence", 0))))
        params = reply.get("params") or {}
    except (ValueError, TypeError, KeyError, AttributeError):
        logger.info("the model's intent JSON was unusable: %.200s", text)
        return None
    if name not in INTENTS or not isinstance(params, dict):
        return None
    allowed = PARAMS.get(name, set())
    kept = {
        key: value
        for key, value in params.items()
        if key in allowed and value not in (None, "")
    }
    if name == "buscar_ticket" and not is_ascii_digits(str(kept.get("ticket_id", ""))):
        return None
    if "ticket_id" in kept:
        kept["ticket_id"] = int(kept["ticket_id"])
    return Intent(name, confidence, kept, detect_language(question))


def llm_answer(llm: LLMClient, *, question: str, data: dict, language: str, model: str):
    system = ANSWER_PROMPT.format(language="Spanish" if language == "es" else "English")
    return llm.complete(
        turns=[
            Turn(
                "system",
                f"{system}\n\nData:\n{json.dumps(data, ensure_ascii=False, default=str)}",
            ),
            Turn("user", question),
        ],
        options=CompletionOptions(model=model, temperature=0.2),
    )


def data_context(data: dict) -> str:
    """What a conversation's system prompt gains when the agent fetched data for it."""
    return (
        "Data from the team's systems for the user's last question (JSON; answer from "
        f"it, with exact numbers):\n{json.dumps(data, ensure_ascii=False, default=str)}"
    )

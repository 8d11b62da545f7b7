"""What a question asks for: rule-based detection in Spanish and English."""

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from assistant.providers.local import looks_spanish

INTENTS = (
    "consultar_tickets",
    "buscar_ticket",
    "consultar_inventario",
    "buscar_equipo",
    "generar_reporte",
    "consultar_chats",
    "consulta_general",
)
HELPDESK_INTENTS = frozenset(INTENTS[:5])
INBOX_INTENTS = frozenset({"consultar_chats"})
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class Intent:
    name: str
    confidence: float
    params: dict[str, Any] = field(default_factory=dict)
    language: str = "en"


def _plain(text: str) -> str:
    """Lower case without accents, so "cuántos" and "cuantos" read the same."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _any(words: str) -> re.Pattern:
    return re.compile(rf"\b(?:{words})\b")


TICKET_WORDS = _any(
    r"tickets?|incidencias?|incidentes?|casos?|solicitudes|requests?|issues?"
)
TICKET_ID = re.compile(
    r"(?:ticket|incidencia|caso|case|issue)\s*(?:n(?:o|umero|umber)\.?\s*)?#?\s*(\d+)|#(\d+)"
)
INVENTORY_WORDS = _any(
    r"inventario|inventory|equipos?|computadoras?|computadores?|ordenadores?|computers?|pcs?|"
    r"laptops?|portatiles?|impresoras?|printers?|monitores?|monitors?|telefonos?|phones?|activos|assets?"
)
EQUIPMENT_NAME = re.compile(
    r"(?:equipo|computador[a]?|ordenador|pc|computer|machine|host|maquina|laptop|portatil)\s+"
    r"(?:llamad[oa]\s+|named\s+|called\s+)?([a-z0-9][\w.-]*\d[\w.-]*|[a-z0-9]+-[\w.-]+)"
)
FIND_WORDS = _any(
    r"busca|buscar|encuentra|find|search|look\s*up|locate|donde\s+esta|where\s+is"
)
COUNT_WORDS = _any(
    r"cuantos|cuantas|how\s+many|numero\s+de|number\s+of|count|total|hay"
)
REPORT_WORDS = _any(
    r"reporte|informe|report|estadisticas?|statistics|stats|metricas|metrics|resumen|summary|kpis?"
)
CHAT_WORDS = _any(
    r"chats?|conversaciones|conversations?|whatsapp|bandeja|inbox|mensajes|messages"
)
ASSET_TYPES = {
    "Printer": _any(r"impresoras?|printers?"),
    "Monitor": _any(r"monitores?|monitors?|pantallas?|screens?"),
    "Phone": _any(r"telefonos?|phones?|moviles|celulares"),
    "NetworkEquipment": _any(r"switch(?:es)?|routers?|red|network"),
}
STATUS_WORDS = {
    "open": _any(
        r"abiert[oa]s?|open|pendientes de resolver|sin resolver|unresolved|activ[oa]s?"
    ),
    "new": _any(r"nuev[oa]s?|new"),
    "assigned": _any(r"asignad[oa]s?|assigned|en curso|in progress"),
    "planned": _any(r"planificad[oa]s?|planned|programad[oa]s?"),
    "pending": _any(r"pendientes?|en espera|pending|waiting|on hold"),
    "solved": _any(r"resuelt[oa]s?|solucionad[oa]s?|solved|resolved"),
    "closed": _any(r"cerrad[oa]s?|closed"),
}
PRIORITY_WORDS = {
    "major": _any(r"mayor|major|critic[oa]s?|critical"),
    "very_high": _any(r"muy alta|very high|urgentes?|urgent"),
    "high": _any(r"alta|high"),
    "low": _any(r"baja|low"),
}
REQUESTER = re.compile(
    r"(?:de|del usuario|solicitados? por|abiertos? por|from|by|requested by|opened by)\s+([a-z][\w.@-]{2,})"
)
NOT_NAMES = {
    "hoy",
    "today",
    "prioridad",
    "priority",
    "estado",
    "status",
    "la",
    "el",
    "los",
    "the",
    "my",
    "mis",
}
CHAT_FILTERS = {
    "unassigned": _any(r"sin asignar|unassigned|nadie|nobody"),
    "mine": _any(r"mios|mis chats|asignados a mi|assigned to me|my chats|mine"),
    "waiting": _any(r"esperando|sin respuesta|waiting|unanswered|awaiting"),
    "open": _any(r"abiert[oa]s?|open"),
    "pending": _any(r"pendientes?|pending"),
    "snoozed": _any(r"pospuest[oa]s?|snoozed|dormid[oa]s?"),
    "resolved": _any(r"resuelt[oa]s?|resolved|cerrad[oa]s?|closed"),
}
MINUTES = re.compile(r"(\d+)\s*(?:min|minutos|minutes|m\b)")
HOURS = re.compile(r"(\d+)\s*(?:h\b|horas|hours)")


SPANISH_HINTS = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "un",
        "una",
        "por",
        "para",
        "con",
        "sin",
        "busca",
        "buscar",
        "muestra",
        "muestrame",
        "dame",
        "equipo",
        "equipos",
        "hay",
        "cuantos",
        "cuantas",
        "que",
        "como",
        "estado",
        "pendientes",
        "abiertos",
        "cerrados",
        "resueltos",
        "inventario",
        "reporte",
        "informe",
        "estadisticas",
        "incidencias",
        "mis",
        "esperando",
    ]
)
ENGLISH_HINTS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "for",
        "with",
        "show",
        "find",
        "list",
        "give",
        "how",
        "many",
        "what",
        "is",
        "are",
        "my",
        "open",
        "closed",
        "pending",
        "solved",
        "inventory",
        "report",
        "statistics",
        "waiting",
    ]
)


def detect_language(text: str) -> str:
    words = _plain(text).split()
    spanish = sum(word in SPANISH_HINTS for word in words)
    english = sum(word in ENGLISH_HINTS for word in words)
    return "es" if looks_spanish(text) or spanish > english else "en"


def detect_intent(text: str) -> Intent:
    """The most likely intent of `text`, with a confidence between 0 and 1."""
    plain = _plain(text)
    language = detect_language(text)

    def found(intent: str, confidence: float, **params: Any) -> Intent:
        return Intent(
            intent, confidence, {k: v for k, v in params.items() if v}, language
        )

    if match := TICKET_ID.search(plain):
        return found(
            "buscar_ticket", 0.95, ticket_id=int(match.group(1) or match.group(2))
        )
    if (match := EQUIPMENT_NAME.search(plain)) and (
        FIND_WORDS.search(plain) or "-" in match.group(1)
    ):
        return found("buscar_equipo", 0.9, name=_original_case(text, match.group(1)))
    if REPORT_WORDS.search(plain):
        return found("generar_reporte", 0.85)
    if CHAT_WORDS.search(plain) and not TICKET_WORDS.search(plain):
        return found("consultar_chats", 0.85, **_chat_filters(plain))
    if TICKET_WORDS.search(plain):
        return found(
            "consultar_tickets",
            0.9 if COUNT_WORDS.search(plain) or _first(STATUS_WORDS, plain) else 0.75,
            status=_first(STATUS_WORDS, plain),
            priority=_first(PRIORITY_WORDS, plain),
            requester=_requester(plain),
        )
    if INVENTORY_WORDS.search(plain):
        itemtype = next(
            (t for t, words in ASSET_TYPES.items() if words.search(plain)), "Computer"
        )
        return found("consultar_inventario", 0.85, itemtype=itemtype)
    words = plain.split()
    confidence = 0.7 if len(words) >= 3 or "?" in text else 0.4
    return found("consulta_general", confidence)


def _first(patterns: dict[str, re.Pattern], plain: str) -> str | None:
    return next((name for name, words in patterns.items() if words.search(plain)), None)


def _requester(plain: str) -> str | None:
    match = REQUESTER.search(plain)
    if match and match.group(1) not in NOT_NAMES:
        return match.group(1)
    return None


def _chat_filters(plain: str) -> dict[str, Any]:
    flags = {name for name, words in CHAT_FILTERS.items() if words.search(plain)}
    minutes = None
    if match := MINUTES.search(plain):
        minutes = int(match.group(1))
    elif match := HOURS.search(plain):
        minutes = int(match.group(1)) * 60
    status = next(
        (s for s in ("open", "pending", "snoozed", "resolved") if s in flags), None
    )
    return {
        "status": status,
        "assigned": "none"
        if "unassigned" in flags
        else ("me" if "mine" in flags else None),
        "waiting_minutes": minutes if minutes or "waiting" not in flags else 30,
    }


def _original_case(text: str, plain_name: str) -> str:
    """The name as the user wrote it (PC-ADMIN-001, not pc-admin-001)."""
    match = re.search(re.escape(plain_name), text, re.IGNORECASE)
    return match.group(0) if match else plain_name.upper()

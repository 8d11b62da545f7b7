"""The offline analysis of a chat: language, sentiment (lexicons with negation),
intents (keyword patterns), entities (regular expressions) and churn risk.

Deterministic and network-free; `local_writing.py` turns it into insights, summaries,
drafts and tickets when the `local` provider is the company's model.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.providers.local import looks_spanish
from messaging.ai import lexicons as lx
from messaging.ai.transcript import Transcript

INTENT_ORDER = (
    "complaint",
    "cancellation",
    "support",
    "booking",
    "purchase",
    "information",
)
MAX_INTENTS = 3
MAX_ENTITIES = 20


def plain(text: str) -> str:
    """Lower case without accents, with straight apostrophes: "Pésimo" → "pesimo"."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_WORDS = {plain(word): weight for word, weight in lx.SENTIMENT_WORDS.items()}
_PHRASES = {plain(phrase): weight for phrase, weight in lx.SENTIMENT_PHRASES.items()}
_NEGATORS = frozenset(plain(word) for word in lx.NEGATORS)
_INTENSIFIERS = frozenset(plain(word) for word in lx.INTENSIFIERS)
_INTENTS = {
    intent: re.compile(r"\b(?:" + "|".join(patterns) + r")\b")
    for intent, patterns in lx.INTENT_PATTERNS.items()
}
_TOKEN = re.compile(r"[\w']+")
_CLAUSE = re.compile(r"[.!?;,:\n]+|\s(?:pero|but|aunque|although)\s")


# --- Language -------------------------------------------------------------------------


def detect_language(texts: Sequence[str]) -> str:
    """ "es" or "en", by the commonest words of each; English when nothing tells."""
    counts = dict.fromkeys(lx.LANGUAGE_WORDS, 0)
    for text in texts:
        for token in _TOKEN.findall(plain(text)):
            for language, words in lx.LANGUAGE_WORDS.items():
                counts[language] += token in words
    if counts["es"] != counts["en"]:
        return "es" if counts["es"] > counts["en"] else "en"
    return "es" if any(looks_spanish(text) for text in texts) else "en"


# --- Sentiment ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentiment:
    label: str  # positive | neutral | negative | mixed
    score: float  # 0 very negative, 0.5 neutral, 1 very positive


def text_polarity(text: str) -> tuple[float, float]:
    """The positive and the negative weight of one message."""
    positive = negative = 0.0
    for clause in _CLAUSE.split(plain(text)):
        for phrase, weight in _PHRASES.items():
            if phrase in clause:
                positive, negative = _add(positive, negative, weight)
                clause = clause.replace(phrase, " ")
        negated_for = intensify_for = 0
        for token in _TOKEN.findall(clause):
            weight = _WORDS.get(token)
            if weight is not None:
                if intensify_for > 0:
                    weight *= lx.INTENSITY
                # "no funciona" is bad; "no está mal" is weakly good.
                if negated_for > 0:
                    weight = -weight if weight > 0 else -weight / 2
                positive, negative = _add(positive, negative, weight)
            negated_for = lx.NEGATION_SCOPE if token in _NEGATORS else negated_for - 1
            intensify_for = 2 if token in _INTENSIFIERS else intensify_for - 1
        for char in clause:
            if char in lx.POSITIVE_EMOJI:
                positive += lx.EMOJI_WEIGHT
            elif char in lx.NEGATIVE_EMOJI:
                negative += lx.EMOJI_WEIGHT
    return positive, negative


def _add(positive: float, negative: float, weight: float) -> tuple[float, float]:
    if weight > 0:
        return positive + weight, negative
    return positive, negative - weight


def sentiment_of(texts: Sequence[str]) -> Sentiment:
    """The customer's sentiment; newer messages count up to twice as much."""
    positive = negative = 0.0
    for index, text in enumerate(texts):
        recency = 1 + index / (len(texts) - 1) if len(texts) > 1 else 1
        pos, neg = text_polarity(text)
        positive += pos * recency
        negative += neg * recency
    if positive + negative < 0.5:
        return Sentiment("neutral", 0.5)
    score = round(0.5 + 0.5 * (positive - negative) / (positive + negative + 1), 2)
    weaker, stronger = sorted((positive, negative))
    if weaker >= 1 and weaker / stronger >= 0.6:  # both clearly there
        return Sentiment("mixed", score)
    if score >= 0.6:
        return Sentiment("positive", score)
    if score <= 0.4:
        return Sentiment("negative", score)
    return Sentiment("neutral", score)


# --- Intents --------------------------------------------------------------------------


def intents_of(texts: Sequence[str]) -> list[str]:
    """The intents the texts show, strongest first; "other" when none."""
    hits = dict.fromkeys(INTENT_ORDER, 0)
    for text in texts:
        flat = plain(text)
        for intent, pattern in _INTENTS.items():
            hits[intent] += len(pattern.findall(flat))
    found = sorted(
        (intent for intent in INTENT_ORDER if hits[intent]),
        key=lambda intent: (-hits[intent], INTENT_ORDER.index(intent)),
    )
    if not found and any(text.rstrip().endswith("?") for text in texts):
        found = ["information"]
    return found[:MAX_INTENTS] or ["other"]


# --- Entities -------------------------------------------------------------------------

_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_CURRENCY_BEFORE = r"US\$|\$|€|£|S/\.?|(?:EUR|USD|MXN|ARS|COP|CLP|PEN|GBP)\s?"
_CURRENCY_AFTER = (
    r"€|\$|euros?|d[oó]lares|dollars?|pesos|soles|libras|pounds|"
    r"EUR|USD|MXN|ARS|COP|CLP|PEN|GBP"
)
_MONTHS_ES = (
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    "octubre|noviembre|diciembre"
)
_MONTHS_EN = (
    "january|february|march|april|may|june|july|august|september|october|november|"
    "december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_WEEKDAYS = (
    "lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo|monday|"
    "tuesday|wednesday|thursday|friday|saturday|sunday"
)
ENTITY_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    (
        "order",
        re.compile(
            r"(?:pedido|orden|order|factura|invoice|referencia|ref|tracking|"
            r"seguimiento)\s*(?:n[º°o]\.?|n[uú]m(?:ero)?\.?|number|no\.?|:)?\s*"
            r"#?\s*(?P<value>[A-Z]{0,4}-?\d[\w-]{2,})|#(?P<bare>\d{3,})\b",
            re.IGNORECASE,
        ),
    ),
    (
        "amount",
        re.compile(
            rf"(?<![\w.,])(?:(?:{_CURRENCY_BEFORE})\s?(?:{_NUMBER})"
            rf"|(?:{_NUMBER})\s?(?:{_CURRENCY_AFTER}))(?!\w)",
            re.IGNORECASE,
        ),
    ),
    (
        "date",
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b"
            rf"|\b\d{{1,2}} de (?:{_MONTHS_ES})(?: de \d{{4}})?\b"
            rf"|\b(?:{_MONTHS_EN})\.? \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?\b"
            rf"|\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS_EN})(?:,? \d{{4}})?\b"
            rf"|\b(?:el |next |on )(?:{_WEEKDAYS})\b"
            r"|\bpasado mañana\b|(?<!la )\bmañana\b|\btomorrow\b",
            re.IGNORECASE,
        ),
    ),
    ("phone", re.compile(r"(?<![\w+(])[+(]?\d[\d\s().-]{6,}\d(?!\w)")),
)
_NAME = re.compile(
    r"(?i:\b(?:me llamo|mi nombre es|my name is|i am called|soy))\s+"
    r"(?P<value>[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+){0,2})"
)


def entities_in(text: str) -> list[dict[str, str]]:
    """Emails, order numbers, amounts, dates and phones, in that order of precedence:
    what one kind matched is hidden from the next (an order number is no phone)."""
    found: list[dict[str, str]] = []
    for kind, pattern in ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            value = _entity_value(kind, match)
            if value:
                found.append({"type": kind, "value": value})
                text = text[: match.start()] + " " * len(match[0]) + text[match.end() :]
    return found


def _entity_value(kind: str, match: re.Match) -> str:
    if kind == "order":
        return "#" + (match["value"] or match["bare"]).upper()
    if kind == "date" and re.fullmatch(r"[\d/-]+", match[0]):
        return match[0] if _plausible_date(match[0]) else ""
    if kind == "phone":
        digits = sum(c.isdigit() for c in match[0])
        return match[0].strip() if 9 <= digits <= 15 else ""
    return match[0].strip()


def _plausible_date(text: str) -> bool:
    parts = re.split(r"[/-]", text)
    day, month = (parts[2], parts[1]) if len(parts[0]) == 4 else (parts[0], parts[1])
    return 1 <= int(day) <= 31 and 1 <= int(month) <= 12


_NAME_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")


def names_in(text: str) -> list[str]:
    return [match["value"] for match in _NAME.finditer(text)]


def entities_of(transcript: Transcript) -> list[dict[str, str]]:
    """Every entity of the chat once; names only from what the customer wrote."""
    found: list[dict[str, str]] = []
    for line in transcript.lines:
        found.extend(entities_in(line.text))
        if line.role == "customer":
            found.extend(
                {"type": "name", "value": name} for name in names_in(line.text)
            )
    unique: dict[tuple[str, str], dict[str, str]] = {}
    for entity in found:
        unique.setdefault((entity["type"], plain(entity["value"])), entity)
    return list(unique.values())[:MAX_ENTITIES]


# --- Churn ----------------------------------------------------------------------------


def churn_risk_of(sentiment: Sentiment, intents: Sequence[str]) -> float:
    """From how negative the customer is, and whether they cancel or complain."""
    negativity = max(0.0, 0.5 - sentiment.score) * 2
    risk = 0.05 + 0.45 * negativity
    risk += 0.3 if "cancellation" in intents else 0
    risk += 0.2 if "complaint" in intents else 0
    if sentiment.label == "positive":
        risk /= 2
    return round(min(risk, 0.95), 2)


# --- The whole chat -------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    language: str
    sentiment: Sentiment
    intents: list[str]
    entities: list[dict[str, str]]
    churn_risk: float
    name: str  # the customer's first name, or ""


def analyse(transcript: Transcript) -> Analysis:
    customer = [line.text for line in transcript.customer_lines]
    if transcript.first_request and transcript.first_request.text not in customer:
        customer.insert(0, transcript.first_request.text)
    language = detect_language(customer or [line.text for line in transcript.lines])
    sentiment = sentiment_of(customer)
    intents = intents_of(customer)
    entities = entities_of(transcript)
    return Analysis(
        language=language,
        sentiment=sentiment,
        intents=intents,
        entities=entities,
        churn_risk=churn_risk_of(sentiment, intents),
        name=_first_name(entities, transcript.contact_name),
    )


def _first_name(entities: Sequence[dict[str, str]], contact_name: str) -> str:
    """The name the customer gave, else their WhatsApp name if it looks like one."""
    given = [e["value"] for e in entities if e["type"] == "name"]
    candidate = (given[-1] if given else contact_name).split()
    if candidate and _NAME_WORD.fullmatch(candidate[0]):
        return candidate[0][:1].upper() + candidate[0][1:]
    return ""

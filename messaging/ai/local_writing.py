"""What the offline analysis writes: insights, summaries, reply drafts and tickets,
from templates in the customer's language (`phrases.py`)."""

import re

from messaging.ai import phrases as ph
from messaging.ai.lexicons import GREETING_WORDS
from messaging.ai.local import (
    Analysis,
    analyse,
    detect_language,
    intents_of,
    names_in,
    plain,
)
from messaging.ai.results import (
    DRAFT_CHARS,
    MAX_ACTIONS,
    MAX_REPLIES,
    InsightResult,
    TicketText,
)
from messaging.ai.transcript import Line, Transcript

QUOTE_CHARS = 160
TITLE_CHARS = 100
LATEST_LINES = 3
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]\ufe0f?")
_GREETING = re.compile(r"(?P<greeting>[^,:.!?]{1,40}[,:.!])\s*(?P<rest>.*)", re.DOTALL)
# What an instruction asks for, matched on its text without accents.
_ASKS = {
    "formal": r"(?<!in)formal|usted|profesional|professional|polite|educad|cortes\b",
    "friendly": r"cercan|friendl|amable|casual|informal|warm|calid[oa]",
    "short": r"\bcort[oa]|breve|short|concis|resum|sucint",
    "long": r"larg[oa]|detall|longer|detail|elabora|expand",
    "apology": r"disculp|perdon|apolog|sorry|lament",
    "es": r"espanol|castellano|spanish",
    "en": r"ingles|english",
}


# --- Insights -------------------------------------------------------------------------


def local_insight(transcript: Transcript) -> InsightResult:
    analysis = analyse(transcript)
    return InsightResult(
        sentiment=analysis.sentiment.label,
        sentiment_score=analysis.sentiment.score,
        intents=analysis.intents,
        entities=analysis.entities,
        suggested_actions=_actions(analysis),
        suggested_replies=_replies(analysis),
        churn_risk=analysis.churn_risk,
    )


def _actions(analysis: Analysis) -> list[str]:
    table = ph.ACTIONS[analysis.language]
    actions = [action for intent in analysis.intents[:2] for action in table[intent]]
    orders = _values(analysis, "order")
    if orders:
        actions += [action.format(value=orders[0]) for action in table["order"]]
    if analysis.churn_risk >= 0.6:
        actions += table["churn"]
    return list(dict.fromkeys(actions))[:MAX_ACTIONS]


def _replies(analysis: Analysis) -> list[str]:
    intents = [intent for intent in analysis.intents if intent != "other"]
    if analysis.sentiment.label == "positive" and "complaint" not in intents:
        intents.insert(0, "positive")
    intents = intents[:2] or ["other"]
    replies = [_reply(analysis, intent, formal=False) for intent in intents]
    replies.append(_reply(analysis, intents[0], formal=True))
    return list(dict.fromkeys(replies))[:MAX_REPLIES]


def _reply(analysis: Analysis, intent: str, *, formal: bool) -> str:
    language = analysis.language
    body = _reply_body(analysis, intent, formal, language)
    return _joined(_greeting(analysis.name, language, formal), body, formal=formal)


def _reply_body(analysis: Analysis, intent: str, formal: bool, language: str) -> str:
    orders = _values(analysis, "order")
    about = ph.ABOUT_ORDER[language].get(intent, "") if orders else ""
    body = ph.REPLIES[language][intent][formal]
    return body.format(about=about.format(order=orders[0] if orders else ""))


def _greeting(name: str, language: str, formal: bool) -> str:
    if formal and not name:
        return ph.FORMAL_NAMELESS[language]
    template = ph.GREETINGS[language]["formal" if formal else "casual"]
    return template.format(name=f" {name}" if name else "")


def _values(analysis: Analysis, kind: str) -> list[str]:
    return [e["value"] for e in analysis.entities if e["type"] == kind]


# --- Summaries ------------------------------------------------------------------------


def local_summary(transcript: Transcript) -> str:
    """The first request, the topics and tone, the latest messages, the details
    mentioned, and who is to answer."""
    analysis = analyse(transcript)
    language = analysis.language
    words = ph.SUMMARY[language]
    parts = []
    request = _request_line(transcript)
    if request is not None:
        who = analysis.name or words["customer"]
        parts.append(words["opened"].format(who=who, text=_clip(request.text)))
    labels = ph.INTENT_LABELS[language]
    topics = [labels[i] for i in analysis.intents if i != "other"]
    if topics:
        parts.append(words["topics"].format(topics=", ".join(topics)))
    tone = ph.SENTIMENT_LABELS[language][analysis.sentiment.label]
    parts.append(words["tone"].format(tone=tone))
    latest = [
        f"{words['roles'][line.role]}: {ph.QUOTES[language].format(_clip(line.text, 120))}"
        for line in transcript.lines[-LATEST_LINES:]
        if request is None or line.message_id != request.message_id
    ]
    if latest:
        parts.append(words["latest"].format(lines="; ".join(latest)))
    data = _details(analysis)
    if data:
        parts.append(words["data"].format(data=data))
    if transcript.lines:
        last = transcript.lines[-1].role
        parts.append(words["waiting" if last == "customer" else "answered"])
    return " ".join(parts)


def _request_line(transcript: Transcript) -> Line | None:
    """The customer's first message that says more than a greeting."""
    customer = [transcript.first_request, *transcript.customer_lines]
    lines = [line for line in customer if line is not None]
    for line in lines:
        words = re.findall(r"\w+", plain(line.text))
        if any(word not in GREETING_WORDS for word in words):
            return line
    return lines[0] if lines else None


def _details(analysis: Analysis) -> str:
    labels = ph.ENTITY_LABELS[analysis.language]
    return "; ".join(f"{labels[e['type']]} {e['value']}" for e in analysis.entities)


def _clip(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- Drafts ---------------------------------------------------------------------------


def local_draft(transcript: Transcript, *, instruction: str, draft: str) -> str:
    """Polishes the agent's draft, or proposes a reply to the last customer message,
    then applies what the instruction asks (more formal, friendlier, shorter, longer,
    with an apology, in Spanish or English)."""
    analysis = analyse(transcript)
    asks = {key for key, words in _ASKS.items() if re.search(words, plain(instruction))}
    formal = "formal" in asks
    register = "formal" if formal else "casual"
    if draft.strip():
        language = detect_language([draft])
        greeting, body = _split_greeting(" ".join(draft.split()))
        if formal:
            greeting, body = (
                _formalised(greeting, language),
                _formalised(body, language),
            )
        greeting = greeting or _greeting(analysis.name, language, formal)
    else:
        language = next((lang for lang in ("es", "en") if lang in asks), None)
        language = language or analysis.language
        greeting = _greeting(analysis.name, language, formal)
        body = _reply_body(analysis, _reply_intent(analysis), formal, language)
    if "apology" in asks and not re.search(_ASKS["apology"], plain(body)):
        body = f"{ph.APOLOGIES[language][register]} {body}"
    if "short" in asks:
        body = _shortened(body)
    if "long" in asks:
        body = f"{_tidy(body)} {ph.MORE_HELP[language][register]}"
    text = _joined(greeting, _tidy(body), formal=formal)
    if formal:
        text = f"{text}\n\n{ph.CLOSINGS[language]['formal']}"
    elif "friendly" in asks:
        text = f"{text} {ph.CLOSINGS[language]['friendly']} 🙂"
    return text[:DRAFT_CHARS]


def _reply_intent(analysis: Analysis) -> str:
    if analysis.sentiment.label == "positive" and "complaint" not in analysis.intents:
        return "positive"
    return analysis.intents[0]


def _split_greeting(text: str) -> tuple[str, str]:
    """("Hola Ana,", "the rest") when the text opens with a greeting."""
    match = _GREETING.match(text)
    if match is None:
        return "", text
    first_word = re.findall(r"\w+", plain(match["greeting"]))[:1]
    if not first_word or first_word[0] not in GREETING_WORDS:
        return "", text
    return match["greeting"], match["rest"]


def _formalised(text: str, language: str) -> str:
    text = _EMOJI.sub("", text).strip()
    pairs = ph.FORMAL_ES if language == "es" else ph.CONTRACTIONS_EN
    for informal, formal in pairs:
        suffix = informal.startswith(("'", "n'"))
        pattern = (r"(?<=\w)" if suffix else r"\b") + re.escape(informal) + r"\b"
        text = re.sub(
            pattern,
            lambda m, f=formal: f[:1].upper() + f[1:] if m[0][0].isupper() else f,
            text,
            flags=re.IGNORECASE,
        )
    return text


def _shortened(text: str) -> str:
    """The first sentence (two if the first is a mere exclamation), no fillers."""
    for filler in ph.FILLERS:
        text = re.sub(rf"\s*\b{filler}\b", "", text, flags=re.IGNORECASE)
    sentences = _SENTENCE.split(text.strip())
    keep = 2 if len(re.findall(r"\w+", sentences[0])) <= 3 else 1
    return " ".join(sentences[:keep])


def _tidy(text: str) -> str:
    """One space between words, no "!!", sentences capitalised and ended."""
    text = re.sub(r"([!?])\1+", r"\1", " ".join(text.split()))
    text = re.sub(r"([.!?]\s+[¡¿]?)(\w)", lambda m: m[1] + m[2].upper(), text)
    if text and text[-1] not in ".!?…)":
        text += "."
    return text


def _joined(greeting: str, body: str, *, formal: bool) -> str:
    """A letter's layout when formal; else one line, the body's first word in lower
    case after a comma ("Hola Ana, sentimos…")."""
    greeting = greeting[:1].upper() + greeting[1:]
    if formal:
        return f"{greeting}\n\n{body[:1].upper()}{body[1:]}"
    if greeting.endswith(",") and not re.match(r"I\b", body):
        body = re.sub(r"^([¡¿]?)(\w)", lambda m: m[1] + m[2].lower(), body)
    return f"{greeting} {body}"


# --- Tickets --------------------------------------------------------------------------


def local_ticket(transcript: Transcript, *, summary: str) -> TicketText:
    """A title from the main topic and the request; the summary as description."""
    analysis = analyse(transcript)
    request = _request_line(transcript)
    topic = ph.INTENT_LABELS[analysis.language][analysis.intents[0]]
    title = _clip(_key_sentence(request.text), TITLE_CHARS) if request else topic
    if analysis.intents[0] != "other":
        title = f"{topic[:1].upper()}{topic[1:]}: {title}"
    return TicketText(title=title, description=summary)


def _key_sentence(text: str) -> str:
    """The first sentence that asks or complains about something, else the first
    that is more than a greeting or an introduction; without its final stop."""
    sentences = [
        sentence
        for sentence in _SENTENCE.split(text.strip())
        if not names_in(sentence)
        and any(w not in GREETING_WORDS for w in re.findall(r"\w+", plain(sentence)))
    ] or [text.strip()]
    telling = next((s for s in sentences if intents_of([s]) != ["other"]), None)
    return (telling or sentences[0]).rstrip(".")

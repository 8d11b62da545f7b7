"""Typed values exchanged with YCloud: what we send and what it answers."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

MediaType = Literal["image", "audio", "video", "document", "sticker"]


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (`2026-03-01T09:15:02.120Z`), or None if absent or bad."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class TextContent:
    body: str
    preview_url: bool = False
    type: ClassVar[str] = "text"

    def to_json(self) -> dict[str, Any]:
        # snake_case `preview_url` is YCloud's spelling, unlike its other fields.
        return {"body": self.body, "preview_url": self.preview_url}


@dataclass(frozen=True)
class MediaContent:
    """A media message by uploaded media `media_id` or by public `link`."""

    type: MediaType
    link: str = ""
    media_id: str = ""
    caption: str = ""
    filename: str = ""

    def __post_init__(self) -> None:
        if not (self.link or self.media_id):
            raise ValueError("Media needs a link or a media id.")
        if self.caption and self.type in ("audio", "sticker"):
            raise ValueError(f"A {self.type} cannot have a caption.")
        if self.filename and self.type != "document":
            raise ValueError("Only documents have a file name.")

    def to_json(self) -> dict[str, Any]:
        media = {"id": self.media_id} if self.media_id else {"link": self.link}
        if self.caption:
            media["caption"] = self.caption
        if self.filename:
            media["filename"] = self.filename
        return media


@dataclass(frozen=True)
class TemplateContent:
    name: str
    language: str
    components: list[dict[str, Any]] = field(default_factory=list)
    type: ClassVar[str] = "template"

    def to_json(self) -> dict[str, Any]:
        template: dict[str, Any] = {
            "name": self.name,
            "language": {"code": self.language, "policy": "deterministic"},
        }
        if self.components:
            template["components"] = self.components
        return template


OutboundContent = TextContent | MediaContent | TemplateContent


@dataclass(frozen=True)
class YCloudMessage:
    """A `WhatsappMessage`: a send's answer, a retrieval, or a status webhook."""

    id: str
    status: str
    wamid: str = ""
    waba_id: str = ""
    from_number: str = ""
    to: str = ""
    type: str = ""
    external_id: str = ""
    error_code: str = ""
    error_message: str = ""
    whatsapp_error_code: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None
    send_time: datetime | None = None
    deliver_time: datetime | None = None
    read_time: datetime | None = None

    @classmethod
    def from_json(cls, data: Any) -> "YCloudMessage":
        if not isinstance(data, dict) or not _text(data.get("id")):
            raise ValueError("A WhatsApp message needs an `id`.")
        meta = data.get("whatsappApiError")
        meta = meta if isinstance(meta, dict) else {}
        return cls(
            id=data["id"],
            status=_text(data.get("status")),
            wamid=_text(data.get("wamid")),
            waba_id=_text(data.get("wabaId")),
            from_number=_text(data.get("from")),
            to=_text(data.get("to")),
            type=_text(data.get("type")),
            external_id=_text(data.get("externalId")),
            error_code=str(data.get("errorCode") or ""),
            error_message=_text(data.get("errorMessage")),
            whatsapp_error_code=str(meta.get("code") or ""),
            create_time=parse_time(data.get("createTime")),
            update_time=parse_time(data.get("updateTime")),
            send_time=parse_time(data.get("sendTime")),
            deliver_time=parse_time(data.get("deliverTime")),
            read_time=parse_time(data.get("readTime")),
        )


@dataclass(frozen=True)
class YCloudTemplate:
    waba_id: str
    name: str
    language: str
    category: str
    status: str
    components: list[dict[str, Any]]
    reason: str = ""
    quality_rating: str = ""

    @classmethod
    def from_json(cls, data: Any) -> "YCloudTemplate":
        if not isinstance(data, dict) or not (
            data.get("name") and data.get("language")
        ):
            raise ValueError("A template needs a `name` and a `language`.")
        components = data.get("components")
        return cls(
            waba_id=_text(data.get("wabaId")),
            name=data["name"],
            language=data["language"],
            category=_text(data.get("category")),
            status=_text(data.get("status")),
            components=components if isinstance(components, list) else [],
            reason=_text(data.get("reason")),
            quality_rating=_text(data.get("qualityRating")),
        )


@dataclass(frozen=True)
class YCloudMedia:
    content: bytes
    mime_type: str

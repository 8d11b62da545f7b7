"""WhatsApp's "Export chat" files read into messages: the `.txt` alone, or the `.zip`
with the media files it references. Android and iOS lines, 12- and 24-hour clocks,
day-first and month-first dates, multi-line messages, system lines, media references.
No database here: `messaging.services.imports` stores what this returns."""

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Literal

DateOrder = Literal["dmy", "mdy"]

# U+200E/U+200F mark system lines and attachments on iOS; U+202F is the narrow space
# before "PM" on recent Android versions; U+FEFF is a byte-order mark.
_MARK_CHARS = "\u200e\u200f\ufeff"
_MARKS = str.maketrans(dict.fromkeys(_MARK_CHARS, ""))
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})
_DATE = r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}"
_TIME = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s?[aApP]\.?\s?[mM]\.?)?"
_ANDROID = re.compile(rf"^(?P<date>{_DATE}),? (?P<time>{_TIME}) - (?P<rest>.*)$")
_IOS = re.compile(rf"^\[(?P<date>{_DATE}),? (?P<time>{_TIME})\] (?P<rest>.*)$")
_AUTHOR = re.compile(r"^(?P<author>[^:]{1,100}?):(?: (?P<text>.*)|$)", re.S)
_MERIDIEM = re.compile(r"\s?([aApP])\.?\s?[mM]\.?$")
_OMITTED = re.compile(
    r"^<?(?:media|image|video|audio|sticker|document|gif|contact card|multimedia)"
    r" (?:omitted|omitid[oa])>?$",
    re.I,
)
_ATTACHED_IOS = re.compile(
    r"^<(?:attached|adjunto): (?P<name>[^>]+)>\s*(?P<text>.*)$", re.S
)
_ATTACHED_ANDROID = re.compile(
    r"^(?P<name>[^\n]+?\.\w{1,5}) \((?:file attached|archivo adjunto)\)\s*(?P<text>.*)$",
    re.S,
)
_TITLE = re.compile(
    r"^WhatsApp Chat (?:with |con |- )(?P<title>.+?)(?:\.txt|\.zip)?$", re.I
)
ZIP_MAX_MEMBERS = 10_000


class ExportError(ValueError):
    """The upload is not a chat export we can read; `field` names the form field."""

    def __init__(self, message: str, *, field: str = "file") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ExportedMessage:
    sent_at: datetime  # naive: the exporting phone's local time
    author: str
    text: str
    attachment: str = ""  # the referenced file's name, if any
    media_omitted: bool = False

    @property
    def has_media(self) -> bool:
        return bool(self.attachment) or self.media_omitted


@dataclass
class ChatExport:
    messages: list[ExportedMessage]
    title: str = ""  # "X" of "WhatsApp Chat with X", when the file names say it
    system_lines: int = 0
    media: dict[str, bytes] = field(default_factory=dict)  # attachment name -> bytes

    @property
    def authors(self) -> list[str]:
        return list(dict.fromkeys(message.author for message in self.messages))


@dataclass
class _Draft:
    date: str
    time: str
    author: str
    lines: list[str]


def read_export(
    *,
    filename: str,
    content: bytes,
    max_messages: int,
    max_unpacked_bytes: int,
    date_order: DateOrder | None = None,
) -> ChatExport:
    """The export in `content` (a `.txt`, or a `.zip` holding one); ExportError if
    it is neither, has no dated lines, or exceeds the limits."""
    title = _title_from(filename)
    media_source: zipfile.ZipFile | None = None
    if content.startswith(b"PK\x03\x04"):
        media_source, text_name, raw = _open_zip(content, max_unpacked_bytes)
        title = title or _title_from(text_name)
    elif filename.lower().endswith(".zip"):
        raise ExportError("This .zip file is damaged or not a zip archive.")
    else:
        raw = content
    export = parse_text(_decode(raw), max_messages=max_messages, date_order=date_order)
    export.title = title
    if media_source is not None:
        export.media = _attachments(
            media_source,
            export.messages,
            budget=max_unpacked_bytes - len(raw),
            max_unpacked=max_unpacked_bytes,
        )
    return export


def parse_text(
    text: str, *, max_messages: int, date_order: DateOrder | None = None
) -> ChatExport:
    drafts: list[_Draft] = []
    system_lines = 0
    for raw_line in text.splitlines():
        line = raw_line.translate(_SPACES).lstrip(_MARK_CHARS)
        header = _header(line) or _header(line.translate(_MARKS))
        if header is None:
            if drafts:
                drafts[-1].lines.append(line.translate(_MARKS))
            continue
        spoken = _AUTHOR.match(header["rest"])
        # iOS writes system notices as a "message" whose text starts with U+200E.
        if spoken is None or _is_ios_notice(spoken["text"] or ""):
            system_lines += 1
            continue
        drafts.append(
            _Draft(
                header["date"],
                header["time"],
                spoken["author"].translate(_MARKS).strip(),
                [(spoken["text"] or "").translate(_MARKS)],
            )
        )
        if len(drafts) > max_messages:
            raise ExportError(
                f"The export has more than {max_messages} messages, the most one "
                "import may hold; export a shorter period."
            )
    if not drafts:
        raise ExportError(
            "This is not a WhatsApp chat export: no line starts with a date, a time "
            "and an author."
        )
    order = date_order or _date_order(drafts)
    return ChatExport(
        messages=[_message(draft, order) for draft in drafts],
        system_lines=system_lines,
    )


def _header(line: str) -> re.Match[str] | None:
    return _ANDROID.match(line) or _IOS.match(line)


def _is_ios_notice(text: str) -> bool:
    if not text.startswith("\u200e"):
        return False
    text = text.translate(_MARKS).strip()
    return not (_OMITTED.match(text) or _ATTACHED_IOS.match(text))


def _message(draft: _Draft, order: DateOrder) -> ExportedMessage:
    text = "\n".join(draft.lines).strip()
    sent_at = _timestamp(draft.date, draft.time, order)
    if _OMITTED.match(text):
        return ExportedMessage(sent_at, draft.author, "", media_omitted=True)
    attached = _ATTACHED_IOS.match(text) or _ATTACHED_ANDROID.match(text)
    if attached:
        return ExportedMessage(
            sent_at,
            draft.author,
            attached["text"].strip(),
            attachment=attached["name"].strip(),
        )
    return ExportedMessage(sent_at, draft.author, text)


def _date_parts(date: str) -> list[str]:
    return re.split(r"[./-]", date)


def _date_order(drafts: Iterable[_Draft]) -> DateOrder:
    """Day-first unless a date proves otherwise; a 12-hour clock (the US export)
    tips a file with only ambiguous dates towards month-first."""
    twelve_hour = False
    for draft in drafts:
        first, second, _ = (int(part) for part in _date_parts(draft.date))
        if first > 12:
            return "dmy"
        if second > 12:
            return "mdy"
        twelve_hour = twelve_hour or bool(_MERIDIEM.search(draft.time))
    return "mdy" if twelve_hour else "dmy"


def _timestamp(date: str, time: str, order: DateOrder) -> datetime:
    first, second, third = (int(part) for part in _date_parts(date))
    if len(_date_parts(date)[0]) == 4:  # 2023-12-31
        year, month, day = first, second, third
    else:
        day, month = (first, second) if order == "dmy" else (second, first)
        year = third + 2000 if third < 100 else third
    meridiem = _MERIDIEM.search(time)
    clock = [int(part) for part in re.split(r"[:.]", _MERIDIEM.sub("", time))]
    hour, minute, seconds = clock[0], clock[1], clock[2] if len(clock) > 2 else 0
    if meridiem:
        hour = hour % 12 + (12 if meridiem.group(1).lower() == "p" else 0)
    try:
        return datetime(year, month, day, hour, minute, seconds)
    except ValueError as exc:
        raise ExportError(
            f"The line dated '{date}, {time}' does not hold a valid date ({exc}); "
            "if days and months are swapped, send date_order."
        ) from exc


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportError("The chat file is not UTF-8 text.") from None
    if "\x00" in text:
        raise ExportError("The chat file is not a text file.")
    return text


def _title_from(name: str) -> str:
    match = _TITLE.match(PurePosixPath(name).name)
    return match["title"].strip() if match else ""


def _open_zip(content: bytes, max_unpacked: int) -> tuple[zipfile.ZipFile, str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
        ]
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ExportError("This .zip file is damaged or not a zip archive.") from exc
    if len(members) > ZIP_MAX_MEMBERS:
        raise ExportError(f"The zip holds more than {ZIP_MAX_MEMBERS} files.")
    texts = [info for info in members if info.filename.lower().endswith(".txt")]
    chosen = _chat_text_member(texts)
    raw = _read_member(archive, chosen, limit=max_unpacked, max_unpacked=max_unpacked)
    return archive, chosen.filename, raw


def _chat_text_member(texts: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    for info in texts:
        name = PurePosixPath(info.filename).name
        if name == "_chat.txt" or name.lower().startswith("whatsapp chat"):
            return info
    if len(texts) == 1:
        return texts[0]
    raise ExportError(
        "The zip holds no chat file: WhatsApp names it _chat.txt (iPhone) or "
        "'WhatsApp Chat with <name>.txt' (Android)."
    )


def _read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int, max_unpacked: int
) -> bytes:
    """The member's bytes, never more than `limit` whatever its header claims."""
    too_big = ExportError(f"The export unpacks to more than {max_unpacked} bytes.")
    if info.file_size > limit:
        raise too_big
    try:
        with archive.open(info) as member:
            data = member.read(limit + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
        raise ExportError(f"'{info.filename}' in the zip cannot be read.") from exc
    if len(data) > limit:
        raise too_big
    return data


def _attachments(
    archive: zipfile.ZipFile,
    messages: list[ExportedMessage],
    *,
    budget: int,
    max_unpacked: int,
) -> dict[str, bytes]:
    """The files the messages reference, matched by base name (then ignoring case);
    a missing one is simply absent. Their total size is bounded too."""
    by_name: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if not info.is_dir() and not info.filename.startswith("__MACOSX/"):
            name = PurePosixPath(info.filename).name
            by_name.setdefault(name, info)
            by_name.setdefault(name.lower(), info)
    wanted = {m.attachment for m in messages if m.attachment}
    media: dict[str, bytes] = {}
    for name in sorted(wanted):
        info = by_name.get(name) or by_name.get(name.lower())
        if info is None:
            continue
        data = _read_member(archive, info, limit=budget, max_unpacked=max_unpacked)
        budget -= len(data)
        media[name] = data
    return media

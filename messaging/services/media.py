"""Inbound media, copied from YCloud to our storage while its links still work."""

import base64
import hashlib
import logging
import mimetypes

from django.conf import settings
from django.core.files.base import ContentFile

from messaging.models import Message
from messaging.services.channels import ycloud_client_for
from messaging.services.notify import message_event_send
from messaging.ycloud import YCloudError, YCloudTransientError

logger = logging.getLogger(__name__)


def message_media_download(*, message: Message) -> bool:
    """Stores the message's media under the company's media folder; True if stored.

    Transient YCloud failures propagate for the task to retry; permanent ones (an
    expired or unknown media id, a revoked key, a file over the size limit) are
    logged and leave the message without a copy.
    """
    if message.media_file or not (message.media_id or message.media_url):
        return False
    client = ycloud_client_for(message.channel)
    try:
        media = client.download_media(
            link=message.media_url,
            media_id=message.media_id,
            max_bytes=settings.YCLOUD_MEDIA_MAX_BYTES,
        )
    except YCloudTransientError:
        raise
    except YCloudError as exc:
        logger.warning("media of message %s not downloadable: %s", message.id, exc)
        return False
    _check_digest(message=message, content=media.content)
    mime = message.media_mime or media.mime_type
    extension = mimetypes.guess_extension(mime.split(";")[0].strip()) or ".bin"
    message.media_file.save(
        f"{message.id}{extension}", ContentFile(media.content), save=False
    )
    message.media_mime = mime[:255]
    message.save(update_fields=["media_file", "media_mime"])
    message_event_send(message=message, event_type="message.updated")
    return True


def _check_digest(*, message: Message, content: bytes) -> None:
    """WhatsApp sends the file's SHA-256 (base64); a mismatch is logged, not fatal:
    the copy is still the best we can get before the link expires."""
    expected = message.payload.get("sha256")
    if not isinstance(expected, str) or not expected:
        return
    digest = hashlib.sha256(content).digest()
    if expected not in (base64.b64encode(digest).decode(), digest.hex()):
        logger.warning("media of message %s does not match its sha256", message.id)

"""YCloud's webhook signature: header `YCloud-Signature: t=<unix seconds>,s=<hex>`
with s = HEX(HMAC-SHA256(endpoint secret, ASCII(t) + "." + raw body)), no trailing
dot (spec §5, checked against the Developer Kit's golden vector in the tests)."""

import hashlib
import hmac
import re
import time

from messaging.ycloud.errors import WebhookSignatureInvalid

SIGNATURE_HEADER = "YCloud-Signature"
_TIMESTAMP = re.compile(r"^\d{1,12}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    secret: str,
    header: str | None,
    body: bytes,
    tolerance_seconds: int,
    now: float | None = None,
) -> None:
    """Raises WebhookSignatureInvalid unless `header` signs the exact bytes of `body`
    with `secret` at a time within `tolerance_seconds` of `now` (either way; 0 turns
    the time check off and leaves replays to event-id deduplication)."""
    timestamp, digests = _parse(header)
    if tolerance_seconds > 0:
        skew = abs((time.time() if now is None else now) - int(timestamp))
        if skew > tolerance_seconds:
            raise WebhookSignatureInvalid("The signature timestamp is out of range.")
    expected = sign(secret=secret, timestamp=int(timestamp), body=body)
    # Every candidate is compared, so the time taken says nothing about which failed.
    matches = [hmac.compare_digest(expected, digest) for digest in digests]
    if not any(matches):
        raise WebhookSignatureInvalid("The signature does not match.")


def _parse(header: str | None) -> tuple[str, list[str]]:
    if not header:
        raise WebhookSignatureInvalid(f"The {SIGNATURE_HEADER} header is missing.")
    timestamp, digests = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "s":
            digests.append(value.lower())
    if timestamp is None or not _TIMESTAMP.match(timestamp):
        raise WebhookSignatureInvalid("The signature has no valid timestamp.")
    digests = [digest for digest in digests if _DIGEST.match(digest)]
    if not digests:
        raise WebhookSignatureInvalid("The signature has no valid digest.")
    return timestamp, digests

"""YCloud webhook deliveries for tests and benchmarks: events built as YCloud documents
them (spec §6, §7) and signed exactly as YCloud signs them (spec §5):
`YCloud-Signature: t=<unix>,s=<hex HMAC-SHA256(secret, t + "." + body)>`.

The signing is written out here rather than imported from `messaging.ycloud`, so that
the code under test is checked against an independent implementation (both are held
to YCloud's golden vector in tests/messaging/test_webhook.py).

As a process, it delivers inbound messages from a few customers to a channel's
webhook URL: `python -m tests.fakes.ycloud_webhooks --secret S --customers 3 URL`.
"""

import argparse
import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from typing import Any

import requests

from tests.fakes.ycloud_server import WABA_ID, hex_id, now_rfc3339

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ycloud"
BUSINESS_NUMBER = "+15550001111"
CUSTOMER_NUMBER = "+34600111222"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},s={sign(secret, t, body)}"


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def signed_delivery(
    secret: str, event: dict[str, Any] | bytes, *, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one delivery, signed as YCloud signs it."""
    body = event if isinstance(event, bytes) else encode(event)
    headers = {
        "Content-Type": "application/json",
        "YCloud-Signature": signature_header(secret, body, timestamp=timestamp),
        "X-Webhook-Endpoint-ID": "whe_fake",
    }
    return body, headers


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture_names(prefix: str) -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob(f"{prefix}*.json"))


def new_event_id() -> str:
    return "evt_" + secrets.token_hex(12)


def new_wamid() -> str:
    return "wamid." + secrets.token_urlsafe(24)


def inbound_event(
    *,
    type: str = "text",
    content: Any = None,
    from_number: str = CUSTOMER_NUMBER,
    to: str = BUSINESS_NUMBER,
    wamid: str | None = None,
    event_id: str | None = None,
    profile_name: str = "Ana Pérez",
    send_time: str | None = None,
    context_wamid: str | None = None,
) -> dict[str, Any]:
    """A `whatsapp.inbound_message.received` event (spec §6)."""
    message: dict[str, Any] = {
        "id": hex_id(),
        "wamid": wamid or new_wamid(),
        "wabaId": WABA_ID,
        "from": from_number,
        "customerProfile": {"name": profile_name},
        "to": to,
        "sendTime": send_time or now_rfc3339(),
        "type": type,
        type: content if content is not None else {"body": "Hola"},
    }
    if context_wamid:
        message["context"] = {"from": to.removeprefix("+"), "id": context_wamid}
    return {
        "id": event_id or new_event_id(),
        "type": "whatsapp.inbound_message.received",
        "apiVersion": "v2",
        "createTime": now_rfc3339(),
        "whatsappInboundMessage": message,
    }


def status_event(
    *,
    message_id: str,
    status: str,
    external_id: str | None = None,
    wamid: str | None = None,
    from_number: str = BUSINESS_NUMBER,
    to: str = CUSTOMER_NUMBER,
    error_code: str | None = None,
    error_message: str | None = None,
    event_id: str | None = None,
    update_time: str | None = None,
) -> dict[str, Any]:
    """A `whatsapp.message.updated` event (spec §7) for an outbound message."""
    when = update_time or now_rfc3339()
    message: dict[str, Any] = {
        "id": message_id,
        "wamid": wamid or new_wamid(),
        "wabaId": WABA_ID,
        "from": from_number,
        "to": to,
        "type": "text",
        "text": {"body": "Hola"},
        "status": status,
        "createTime": when,
        "updateTime": when,
        "bizType": "whatsapp",
    }
    if external_id:
        message["externalId"] = external_id
    time_key = {"sent": "sendTime", "delivered": "deliverTime", "read": "readTime"}
    if status in time_key:
        message[time_key[status]] = when
    if error_code:
        message["errorCode"] = error_code
        message["errorMessage"] = error_message or f"(#{error_code}) failed"
        message["whatsappApiError"] = {
            "code": error_code,
            "message": message["errorMessage"],
        }
    return {
        "id": event_id or new_event_id(),
        "type": "whatsapp.message.updated",
        "apiVersion": "v2",
        "createTime": when,
        "whatsappMessage": message,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Deliver signed inbound messages.")
    parser.add_argument("url", help="the channel's webhook_url")
    parser.add_argument("--secret", required=True, help="the channel's webhook secret")
    parser.add_argument("--customers", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2, help="per customer")
    args = parser.parse_args()
    session = requests.Session()
    for customer in range(args.customers):
        for n in range(args.messages):
            event = inbound_event(
                from_number=f"+3460000{customer:04d}",
                profile_name=f"Customer {customer}",
                content={"body": f"Hola, mensaje {n} del cliente {customer}"},
            )
            body, headers = signed_delivery(args.secret, event)
            response = session.post(args.url, data=body, headers=headers, timeout=30)
            response.raise_for_status()
    print(f"delivered {args.customers * args.messages} inbound messages")


if __name__ == "__main__":
    main()

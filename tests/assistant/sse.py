"""Reading Server-Sent Events from a Django test response or a raw byte stream."""

import json


def parse_sse(raw: bytes | str) -> list[tuple[str, dict]]:
    text = raw.decode() if isinstance(raw, bytes) else raw
    events = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line
        )
        events.append((fields["event"], json.loads(fields["data"])))
    return events


async def read_streaming_response(response) -> list[tuple[str, dict]]:
    chunks = [chunk async for chunk in response.streaming_content]
    return parse_sse(b"".join(chunks))

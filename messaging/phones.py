"""Phone numbers in E.164 (`+` and country code), the only form we store or match."""

import re

from django.core.validators import RegexValidator

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_SEPARATORS = re.compile(r"[\s\-().]")

e164_validator = RegexValidator(
    E164.pattern, "Enter the number in E.164 form, e.g. +34600111222."
)


def normalize_e164(raw: str) -> str | None:
    """`raw` in E.164, or None when it cannot be one.

    YCloud's `from`/`to` carry a `+`, `context.from` and contact-card `wa_id`s don't,
    and people type spaces, dashes and a `00` international prefix.
    """
    number = _SEPARATORS.sub("", raw or "")
    if number.startswith("00"):
        number = "+" + number[2:]
    elif not number.startswith("+"):
        number = "+" + number
    return number if E164.match(number) else None

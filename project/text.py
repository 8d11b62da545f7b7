"""Small checks on text from outside."""


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 only. `str.isdigit()` alone also accepts "¹"
    or "²", which `int()` then refuses with a ValueError."""
    return text.isascii() and text.isdigit()

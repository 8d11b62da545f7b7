"""Client of GLPI's legacy REST API (apirest.php): the only code that talks to GLPI.

A GLPI session per connection lives in the Django cache under `session_key`, so every
request, thread and process of a company reuses it; it is re-opened once, transparently,
when GLPI forgets it. One pooled HTTP session per GLPI URL serves all the clients of
the process. GLPI's error answers become `GlpiError` subclasses.
"""

from .client import GlpiClient
from .errors import (
    GlpiAuthError,
    GlpiError,
    GlpiNotFound,
    GlpiRefused,
    GlpiRightMissing,
    GlpiTimeout,
    GlpiUnavailable,
)
from .wire import Criterion, SearchPage

__all__ = [
    "Criterion",
    "GlpiAuthError",
    "GlpiClient",
    "GlpiError",
    "GlpiNotFound",
    "GlpiRefused",
    "GlpiRightMissing",
    "GlpiTimeout",
    "GlpiUnavailable",
    "SearchPage",
]

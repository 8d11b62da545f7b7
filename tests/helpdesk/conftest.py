"""GLPI fixtures. `fake_glpi` serves the sample helpdesk of `add_sample_data()`:

* users: 2 glpi (the API user), 3 tech1, 4 tech2, 5 alice, 6 bob
* categories: 1 Hardware, 2 Hardware > Printers, 3 Software, 4 Network
* locations: 1 HQ, 2 HQ > Floor 1, 3 Branch
* tickets (status, priority): 1 "Printer jams on floor 1" (new, 4, HTML content,
  2 follow-ups), 2 "VPN drops every hour" (assigned, 3, tech1), 3 "Install Office"
  (pending, 2, request, tech1 + tech2), 4 "Screen flickers" (solved, 3),
  5 "Password reset" (closed, 5, request), 6 "Old duplicate" (in the trash)
* computers: 1 PC-ALICE, 2 PC-BOB, 3 LAPTOP-SPARE, 4 PC-OLD (serials SN-0001..4)
"""

import uuid
from collections.abc import Callable

import pytest

from helpdesk.glpi import GlpiClient
from tests.fakes.glpi_server import (  # noqa: F401 (fixture)
    APP_TOKEN,
    USER_TOKEN,
    FakeGlpiServer,
    fake_glpi,
)


@pytest.fixture
def make_glpi_client(fake_glpi: FakeGlpiServer) -> Callable[..., GlpiClient]:  # noqa: F811
    """Clients of the fake; clients made by one test share a session key unless
    told otherwise, like the requests of one company."""
    session_key = f"glpi-session-test-{uuid.uuid4().hex}"

    def make(**overrides: object) -> GlpiClient:
        options: dict = {
            "base_url": fake_glpi.url,
            "app_token": APP_TOKEN,
            "user_token": USER_TOKEN,
            "timeout": 2.0,
            "session_key": session_key,
        }
        return GlpiClient(**{**options, **overrides})

    return make


@pytest.fixture
def glpi_client(make_glpi_client: Callable[..., GlpiClient]) -> GlpiClient:
    return make_glpi_client()

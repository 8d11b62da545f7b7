"""How GlpiClient fails: GLPI error codes, bad tokens, a GLPI that is down, slow or
behind a failing proxy, and the retry rules (GETs only)."""

import time

import pytest

from helpdesk.glpi import (
    Criterion,
    GlpiAuthError,
    GlpiError,
    GlpiNotFound,
    GlpiRefused,
    GlpiRightMissing,
    GlpiTimeout,
    GlpiUnavailable,
)
from project.errors import error_payload
from tests.fakes.glpi_server import APP_TOKEN, USER_TOKEN

SQL_ERROR = ["ERROR_SQL", "Unexpected SQL Error : Table 'glpi.glpi_x' doesn't exist"]


def test_item_not_found(fake_glpi, glpi_client):
    with pytest.raises(GlpiNotFound) as caught:
        glpi_client.get_item("Ticket", 999)

    error = caught.value
    assert (error.status_code, error.code) == (404, "glpi_not_found")
    assert (error.glpi_code, error.http_status) == ("ERROR_ITEM_NOT_FOUND", 404)
    assert error.message == "GLPI has no such item: Ticket/999 (ERROR_ITEM_NOT_FOUND)."
    assert error_payload(error) == {
        "detail": error.message,
        "code": "glpi_not_found",
        "glpi_code": "ERROR_ITEM_NOT_FOUND",
    }


def test_missing_right(fake_glpi, glpi_client):
    fake_glpi.denied.add("Ticket")

    with pytest.raises(GlpiRightMissing) as caught:
        glpi_client.search("Ticket")

    error = caught.value
    assert (error.status_code, error.code, error.http_status) == (
        403,
        "glpi_right_missing",
        403,
    )
    assert "ERROR_RIGHT_MISSING" in error.message
    with pytest.raises(GlpiRefused, match="ERROR_GLPI_ADD"):
        glpi_client.create_item("Ticket", {"name": "x"})


@pytest.mark.parametrize(
    ("call", "glpi_code", "detail"),
    [
        (
            lambda c: c.search("Ticket", criteria=[Criterion(9999, "equals", 1)]),
            "ERROR",
            "Bad field ID in search criteria",
        ),
        (
            lambda c: c.search("Ticket", order="SIDEWAYS"),
            "ERROR",
            "order must be DESC or ASC",
        ),
        (
            lambda c: c.get_item("Tickett", 1),
            "ERROR_RESOURCE_NOT_FOUND_NOR_COMMONDBTM",
            "resource not found",
        ),
        (
            lambda c: c.create_item("ITILFollowup", {"content": "no parent"}),
            "ERROR_GLPI_ADD",
            "You don't have permission",
        ),
        (
            lambda c: c.update_item("Ticket", 999, {"status": 2}),
            "ERROR_GLPI_UPDATE",
            "the item may not exist",
        ),
    ],
)
def test_refusals_carry_glpis_reason(fake_glpi, glpi_client, call, glpi_code, detail):
    with pytest.raises(GlpiRefused) as caught:
        call(glpi_client)

    error = caught.value
    assert (error.status_code, error.code, error.glpi_code) == (
        400,
        "glpi_refused",
        glpi_code,
    )
    assert f"({glpi_code}): {detail}" in error.message
    assert "view documentation" not in error.message


def test_a_glpi_failure_is_a_bad_gateway(fake_glpi, glpi_client):
    fake_glpi.fail_next(500, SQL_ERROR, path="search/Ticket")

    with pytest.raises(GlpiError) as caught:
        glpi_client.search("Ticket")

    assert type(caught.value) is GlpiError
    assert (caught.value.status_code, caught.value.glpi_code) == (502, "ERROR_SQL")
    assert caught.value.message == "GLPI failed on GET search/Ticket (ERROR_SQL)."
    assert fake_glpi.requests_to("search/Ticket") == 1  # 500 is not retried


# --- Tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "glpi_code", "message"),
    [
        (
            {"app_token": "wrong-app-secret"},
            "ERROR_WRONG_APP_TOKEN_PARAMETER",
            "GLPI refused the app token (ERROR_WRONG_APP_TOKEN_PARAMETER): "
            "check the app token in the helpdesk connection.",
        ),
        (
            {"app_token": ""},
            "ERROR_APP_TOKEN_PARAMETERS_MISSING",
            "GLPI requires an app token (ERROR_APP_TOKEN_PARAMETERS_MISSING): "
            "set the app token in the helpdesk connection.",
        ),
        (
            {"user_token": "wrong-user-secret"},
            "ERROR_GLPI_LOGIN_USER_TOKEN",
            "GLPI refused the user token (ERROR_GLPI_LOGIN_USER_TOKEN): "
            "check the user token in the helpdesk connection.",
        ),
    ],
)
def test_bad_tokens_are_named_but_never_shown(
    fake_glpi, make_glpi_client, caplog, overrides, glpi_code, message
):
    with pytest.raises(GlpiAuthError) as caught:
        make_glpi_client(**overrides).ping()

    error = caught.value
    assert (error.status_code, error.code) == (502, "glpi_auth_failed")
    assert (error.glpi_code, error.message) == (glpi_code, message)
    for secret in ("secret", APP_TOKEN, USER_TOKEN):
        assert secret not in error.message
        assert secret not in caplog.text


def test_logs_name_each_call_without_secrets(fake_glpi, glpi_client, caplog):
    caplog.set_level("INFO", logger="helpdesk.glpi")
    glpi_client.search("Ticket", criteria=[Criterion(1, "contains", "private words")])

    assert "GLPI GET initSession -> 200 in" in caplog.text
    assert "GLPI GET search/Ticket -> 200 in" in caplog.text
    session_token = next(iter(fake_glpi.sessions))
    for secret in (APP_TOKEN, USER_TOKEN, session_token, "private"):
        assert secret not in caplog.text


def test_a_session_refused_twice_is_an_auth_error(fake_glpi, glpi_client):
    invalid = ["ERROR_SESSION_TOKEN_INVALID", "session_token seems invalid"]
    fake_glpi.fail_next(401, invalid, times=2, path="Ticket/1")

    with pytest.raises(GlpiAuthError, match="ERROR_SESSION_TOKEN_INVALID"):
        glpi_client.get_item("Ticket", 1)
    assert fake_glpi.init_sessions == 2  # one re-init, then it gives up


# --- Transport ------------------------------------------------------------------------


def test_glpi_down_then_back(fake_glpi, glpi_client, make_glpi_client):
    glpi_client.ping()
    fake_glpi.down()

    with pytest.raises(GlpiUnavailable) as caught:
        glpi_client.get_item("Ticket", 1)
    assert (caught.value.status_code, caught.value.code) == (503, "glpi_unavailable")
    assert "unreachable" in caught.value.message

    fake_glpi.up()
    assert make_glpi_client().get_item("Ticket", 1)["id"] == 1


def test_a_wrong_url_is_named(fake_glpi, make_glpi_client):
    client = make_glpi_client(base_url=fake_glpi.url.replace("apirest.php", "glpi/"))

    with pytest.raises(
        GlpiError, match="check that the GLPI URL ends with apirest.php"
    ):
        client.ping()


def test_slow_glpi_times_out_once(fake_glpi, make_glpi_client):
    client = make_glpi_client(timeout=0.2)
    client.ping()
    fake_glpi.latency = 0.6

    started = time.monotonic()
    with pytest.raises(GlpiTimeout) as caught:
        client.get_item("Ticket", 1)

    assert time.monotonic() - started < 0.5  # a read timeout is not retried
    assert (caught.value.status_code, caught.value.code) == (504, "glpi_timeout")
    assert caught.value.message == "GLPI did not answer GET Ticket/1 within 0.2 s."


def test_a_slow_write_warns_that_it_may_have_happened(fake_glpi, make_glpi_client):
    client = make_glpi_client(timeout=0.2)
    client.ping()
    fake_glpi.latency = 0.6

    with pytest.raises(GlpiTimeout, match="check GLPI before retrying"):
        client.create_item("Ticket", {"name": "Slow"})


def test_get_is_retried_after_a_503(fake_glpi, glpi_client):
    glpi_client.ping()
    fake_glpi.fail_next(503, path="Ticket/1")

    assert glpi_client.get_item("Ticket", 1)["id"] == 1
    assert fake_glpi.requests_to("Ticket/1") == 2
    assert glpi_client.request_count == 4  # init, ping, 503, 200


def test_a_lasting_503_is_unavailable_after_bounded_retries(fake_glpi, glpi_client):
    glpi_client.ping()
    fake_glpi.fail_next(503, times=5, path="Ticket/1")

    with pytest.raises(GlpiUnavailable, match="HTTP 503"):
        glpi_client.get_item("Ticket", 1)
    assert fake_glpi.requests_to("Ticket/1") == 3


def test_a_proxys_502_is_a_bad_gateway(fake_glpi, glpi_client):
    fake_glpi.fail_next(502, times=3, path="Ticket/1")

    with pytest.raises(GlpiError, match="HTTP 502") as caught:
        glpi_client.get_item("Ticket", 1)
    assert caught.value.status_code == 502


def test_post_is_never_retried(fake_glpi, glpi_client):
    glpi_client.ping()
    fake_glpi.fail_next(503, path="Ticket", method="POST")

    with pytest.raises(GlpiUnavailable):
        glpi_client.create_item("Ticket", {"name": "Once"})
    assert fake_glpi.requests_to("Ticket", method="POST") == 1


def test_a_creation_answered_with_an_empty_body(fake_glpi, glpi_client):
    # GLPI has been seen answering 200 with no body after creating the ticket.
    fake_glpi.fail_next(200, "", path="Ticket", method="POST", apply=True)

    with pytest.raises(GlpiError) as caught:
        glpi_client.create_item("Ticket", {"name": "Maybe created"})

    assert caught.value.message == (
        "GLPI accepted the ticket but did not return its id; check GLPI before retrying."
    )
    assert caught.value.status_code == 502
    assert fake_glpi.tables["Ticket"][7]["name"] == "Maybe created"
    assert fake_glpi.requests_to("Ticket", method="POST") == 1


def test_a_write_with_an_expired_session_is_sent_again(fake_glpi, glpi_client):
    glpi_client.ping()
    fake_glpi.expire_sessions()

    ticket_id = glpi_client.create_item("Ticket", {"name": "After expiry"})

    assert fake_glpi.requests_to("Ticket", method="POST") == 2  # 401 did nothing
    assert [t["name"] for t in fake_glpi.tables["Ticket"].values()].count(
        "After expiry"
    ) == 1
    assert ticket_id == 7

import re

import app as service
import pytest
from judge import by_reference, http_client, remote_module

flask = remote_module("flask")  # Flask as the app's process has it, for its `g`

HEX_ID = re.compile(r"[0-9a-f]{32}")
MILLIS = re.compile(r"[0-9]+\.[0-9]{3}")


def get(path, request_id=None):
    headers = {"X-Request-ID": request_id} if request_id is not None else {}
    return http_client(service.app).get(path, headers=headers)


@pytest.mark.parametrize("request_id", ["abc-123", "A.b_c-9", "x", "a" * 64])
def test_valid_incoming_id_is_propagated(request_id):
    """A valid incoming X-Request-ID (up to 64 safe characters) is used as is"""
    response = get("/whoami", request_id)
    assert response.get_json() == {"request_id": request_id}
    assert response.headers["X-Request-ID"] == request_id


@pytest.mark.parametrize("request_id", ["", "a" * 65, "has space", "semi;colon",
                                        "slash/id", "caf\u00e9"])
def test_invalid_incoming_id_is_replaced(request_id):
    """An empty, too long or unsafe incoming id is replaced by a fresh uuid4 hex"""
    response = get("/whoami", request_id)
    sent = response.headers["X-Request-ID"]
    assert sent != request_id
    assert HEX_ID.fullmatch(sent)
    assert response.get_json() == {"request_id": sent}


def test_generated_ids_are_fresh_hex_strings():
    """Each request without an id gets a different 32-digit lowercase hex id"""
    first = get("/whoami").headers["X-Request-ID"]
    second = get("/whoami").headers["X-Request-ID"]
    assert HEX_ID.fullmatch(first) and HEX_ID.fullmatch(second)
    assert first != second


def test_before_request_fills_g_with_typed_values():
    """The before_request hook stores g.request_id as str and g.started as a float"""
    seen = None
    with service.app.test_request_context("/whoami", headers={"X-Request-ID": "ctx-1"}):
        service.app.preprocess_request()
        seen = (flask.g.request_id, flask.g.started)
    # Checked after the block, so an error inside it cannot be swallowed by its exit.
    assert seen is not None
    request_id, started = seen
    assert type(request_id) is str and request_id == "ctx-1"
    assert type(started) is float


@pytest.mark.parametrize("path, status", [("/missing", 404), ("/fail", 500)])
def test_error_responses_carry_the_headers(path, status):
    """404 and 500 responses still carry X-Request-ID and X-Response-Time-Ms"""
    response = get(path, "err-7")
    assert response.status_code == status
    assert response.headers["X-Request-ID"] == "err-7"
    assert MILLIS.fullmatch(response.headers["X-Response-Time-Ms"])


def test_response_time_is_in_milliseconds_with_three_decimals():
    """X-Response-Time-Ms has three decimals and counts milliseconds (a 20 ms view shows >= 19)"""
    value = get("/slow").headers["X-Response-Time-Ms"]
    assert MILLIS.fullmatch(value)
    assert 19.0 <= float(value) < 5000.0
    quick = get("/whoami").headers["X-Response-Time-Ms"]
    assert MILLIS.fullmatch(quick)


def test_connection_is_shared_within_a_request_and_closed():
    """get_connection returns one object per request, a new one per request, closed after"""
    opened_before = len(service.OPENED)
    first = get("/db").get_json()
    second = get("/db").get_json()
    assert first["same_connection"] is True and second["same_connection"] is True
    assert first["connection_id"] != second["connection_id"]
    new = service.OPENED[opened_before:]
    assert len(new) == 2
    assert all(isinstance(c, service.FakeConnection) for c in new)
    assert [c.closed for c in new] == [True, True]


def test_teardown_logs_a_successful_request_without_opening_a_connection():
    """A request that never used the connection is logged with error None and opens none"""
    by_reference(service).TEARDOWN_LOG.clear()  # empties the app's own list
    opened_before = len(service.OPENED)
    get("/whoami", "ok-1")
    assert service.TEARDOWN_LOG == [{"request_id": "ok-1", "error": None}]
    assert len(service.OPENED) == opened_before


def test_teardown_runs_and_closes_after_a_failing_view():
    """When the view raises, teardown still closes the connection and logs the error name"""
    by_reference(service).TEARDOWN_LOG.clear()  # empties the app's own list
    opened_before = len(service.OPENED)
    response = get("/fail", "boom-1")
    assert response.status_code == 500
    assert service.TEARDOWN_LOG == [{"request_id": "boom-1", "error": "RuntimeError"}]
    new = service.OPENED[opened_before:]
    assert len(new) == 1 and new[0].closed is True


def test_http_errors_are_not_teardown_errors():
    """A 404 is logged by teardown with error None and its own request id"""
    by_reference(service).TEARDOWN_LOG.clear()  # empties the app's own list
    get("/missing", "nf-1")
    generated = get("/missing").headers["X-Request-ID"]
    assert service.TEARDOWN_LOG == [{"request_id": "nf-1", "error": None},
                                    {"request_id": generated, "error": None}]

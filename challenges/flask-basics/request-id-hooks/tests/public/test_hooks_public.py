import re

import app as service
from judge import by_reference, http_client


def test_incoming_id_is_used():
    response = http_client(service.app).get("/whoami", headers={"X-Request-ID": "abc-123"})
    assert response.get_json() == {"request_id": "abc-123"}
    assert response.headers["X-Request-ID"] == "abc-123"


def test_id_is_generated_when_missing():
    response = http_client(service.app).get("/whoami")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_teardown_runs_after_a_failure():
    by_reference(service).TEARDOWN_LOG.clear()
    response = http_client(service.app).get("/fail", headers={"X-Request-ID": "f-1"})
    assert response.status_code == 500
    assert service.TEARDOWN_LOG == [{"request_id": "f-1", "error": "RuntimeError"}]

from logrecord import build_record


def test_simple_record():
    assert build_record("INFO", "server started") == {
        "level": "INFO", "message": "server started", "source": "app", "tags": [], "fields": {},
    }


def test_error_gets_alert_tag():
    record = build_record("ERROR", "disk full", source="storage", tags=["disk"])
    assert record["tags"] == ["disk", "alert"]
    assert record["source"] == "storage"


def test_default_tags_are_fresh_each_call():
    first = build_record("ERROR", "one")
    second = build_record("ERROR", "two")
    assert first["tags"] == ["alert"]
    assert second["tags"] == ["alert"]

import inspect

import pytest
from judge import by_reference, remote_module, type_of, value
from logrecord import build_record

P = inspect.Parameter
builtins = remote_module("builtins")

# Lists and dicts cross between the tests and the candidate's process as copies.  The
# tests on sharing keep the candidate's own objects as handles instead: by_reference
# around a call keeps the list or dict it returns, and `is` compares two of them.


def record_of(*args, **kwargs):
    """build_record(...)'s record dict itself, as a handle."""
    return by_reference(build_record)(*args, **kwargs)


def part(record, key):
    """The candidate's own object at record[key]."""
    return by_reference(record.__getitem__)(key)


def test_signature_kinds_and_defaults():
    """The signature has the required parameter kinds, order and defaults"""
    # The signature as the candidate's process sees it; each kind arrives as a plain int.
    params = remote_module("inspect").signature(build_record).parameters
    found = [(p.name, p.kind, p.default) for p in params.values()]
    assert found == [
        ("level", P.POSITIONAL_ONLY, P.empty),
        ("message", P.POSITIONAL_ONLY, P.empty),
        ("source", P.KEYWORD_ONLY, "app"),
        ("tags", P.KEYWORD_ONLY, None),
        ("fields", P.VAR_KEYWORD, P.empty),
    ]


def test_extra_fields_may_reuse_parameter_names():
    """Extra fields named level and message go to fields, not to the parameters"""
    record = build_record("INFO", "login", level="custom", message="raw text", user=7)
    assert record["level"] == "INFO"
    assert record["message"] == "login"
    assert record["fields"] == {"level": "custom", "message": "raw text", "user": 7}


@pytest.mark.parametrize(
    "call",
    [
        lambda: build_record("INFO", "m", "worker"),
        lambda: build_record("INFO", "m", "worker", ["t"]),
        lambda: build_record("INFO"),
    ],
)
def test_source_and_tags_are_keyword_only(call):
    """Passing source or tags by position (or leaving out message) is a TypeError"""
    with pytest.raises(TypeError):
        call()
    record = build_record("INFO", "m", source="worker", tags=["t"])
    assert (record["source"], record["tags"]) == ("worker", ["t"])


def test_record_shape_and_types():
    """The record is a new dict with exactly the five keys and real list/dict values"""
    kept = record_of("warning", "slow", source="api", tags=("perf",), ms=900)
    # Exact types as the candidate's process has them (a subclass would arrive as its base).
    assert type_of(kept) is dict
    assert type_of(part(kept, "tags")) is list
    assert type_of(part(kept, "fields")) is dict
    record = value(kept)
    assert set(record) == {"level", "message", "source", "tags", "fields"}
    assert record == {"level": "WARNING", "message": "slow", "source": "api",
                      "tags": ["perf"], "fields": {"ms": 900}}


def test_default_tags_are_not_shared_between_calls():
    """Records built with the default tags never share or leak a list"""
    first = record_of("ERROR", "one")
    part(first, "tags").append("leaked")
    assert first["tags"] == ["alert", "leaked"]
    second = record_of("ERROR", "two")
    third = record_of("INFO", "three")
    assert part(first, "tags") is not part(second, "tags")
    assert second["tags"] == ["alert"]
    assert third["tags"] == []
    assert third["fields"] == {} and part(third, "fields") is not part(second, "fields")


def test_callers_tags_are_not_modified():
    """The caller's tags list is copied, never changed, and not kept in the record"""
    # The caller's list, made in the candidate's process so that its changes can be seen.
    tags = by_reference(builtins.list)(["db", "db", "primary"])
    record = record_of("ERROR", "down", tags=tags)
    assert record["tags"] == ["db", "primary", "alert"]
    assert value(tags) == ["db", "db", "primary"]
    assert part(record, "tags") is not tags
    again = build_record("ERROR", "down again", tags=tags)
    assert again["tags"] == ["db", "primary", "alert"]


@pytest.mark.parametrize("level", ["ERROR", "error", "Error"])
def test_error_level_in_any_case_adds_alert_once(level):
    """An ERROR level in any letter case adds 'alert' once, at the end"""
    assert build_record(level, "x")["tags"] == ["alert"]
    assert build_record(level, "x", tags=["alert", "db"])["tags"] == ["alert", "db"]
    assert build_record(level, "x")["level"] == "ERROR"


def test_tags_from_any_iterable_keep_first_occurrence():
    """Tags from a generator are de-duplicated, keeping first-seen order"""
    record = build_record("debug", "x", tags=(t for t in ["b", "a", "b", "c", "a"]))
    assert record["tags"] == ["b", "a", "c"]
    assert record["level"] == "DEBUG"


@pytest.mark.parametrize("level", ["FATAL", "", "inf0"])
def test_unknown_level_is_a_value_error(level):
    """A level string outside the four known ones raises ValueError"""
    with pytest.raises(ValueError):
        build_record(level, "x")
    assert build_record("Warning", "x")["level"] == "WARNING"


@pytest.mark.parametrize(
    "call",
    [
        lambda: build_record(40, "x"),
        lambda: build_record("INFO", None),
        lambda: build_record("INFO", "x", tags="db"),
    ],
)
def test_wrong_types_are_type_errors(call):
    """A non-str level or message, or a bare string as tags, raises TypeError"""
    with pytest.raises(TypeError):
        call()
    assert build_record("INFO", "x", tags=("db",))["tags"] == ["db"]

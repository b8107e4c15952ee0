import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from logstats import LogEncoder, parse_line, summarize, to_json

LOG = """\
2024-03-05T10:00:05 GET /api/items 200 10.10ms
2024-03-05T09:59:58 GET /api/users?id=7 200 3ms

2024-03-05T10:00:09 POST /api/items?dry=1 201 20.20ms
garbage line here
2024-03-05T10:01:00 DELETE /api/items/4 404 1.5ms
   2024-03-05T09:58:00\tGET   /api/users   500 0.2ms   
2024-03-05T10:00:30 GET /health 200 0.7ms
2024-03-05T10:00:31 FETCH /health 200 0.7ms
2024-03-05T10:00:32 GET /health 200 0.7ms
"""  # noqa: W291 - the spaces that end one line are part of the data


def test_parse_line_types():
    """parse_line returns datetime, str, str without query, int and an exact Decimal"""
    entry = parse_line("  2024-12-31T23:59:59\tPATCH  /v1/a/b?x=1?y=2  599   0.125ms \n")
    assert set(entry) == {"time", "method", "path", "status", "ms"}
    assert type(entry["time"]) is datetime and entry["time"] == datetime(2024, 12, 31, 23, 59, 59)
    assert entry["method"] == "PATCH"
    assert entry["path"] == "/v1/a/b"
    assert type(entry["status"]) is int and entry["status"] == 599
    assert type(entry["ms"]) is Decimal and str(entry["ms"]) == "0.125"
    assert str(parse_line("2024-01-01T00:00:00 GET / 100 7ms")["ms"]) == "7"


@pytest.mark.parametrize(
    "lines",
    [
        ["", "   \n", "2024-03-05T10:00:05 GET /api 200",
         "2024-03-05T10:00:05 GET /api 200 10ms extra"],
        ["2024-03-05T10:00:05 get /api 200 10ms", "2024-03-05T10:00:05 FETCH /api 200 10ms",
         "2024-03-05T10:00:05 GET api 200 10ms"],
        ["2024-03-05T10:00:05 GET /api 600 10ms", "2024-03-05T10:00:05 GET /api 099 10ms",
         "2024-03-05T10:00:05 GET /api 2000 10ms", "2024-03-05T10:00:05 GET /api 200 10",
         "2024-03-05T10:00:05 GET /api 200 10 ms", "2024-03-05T10:00:05 GET /api 200 -3ms",
         "2024-03-05T10:00:05 GET /api 200 1.ms"],
        ["2024-02-30T10:00:05 GET /api 200 10ms", "2024-03-05T25:00:05 GET /api 200 10ms",
         "2024-03-05 10:00:05 GET /api 200 10ms"],
    ],
    ids=["blank-or-field-count", "method-or-path", "status-or-duration", "timestamp"],
)
def test_malformed_lines_give_none(lines):
    """Blank lines, wrong field counts, bad method/path/status/duration and impossible dates give None"""
    for line in lines:
        assert parse_line(line) is None, line


def test_summary_counts_and_status_counts():
    """requests and malformed are ints; blank lines are ignored; status_counts has int keys"""
    summary = summarize(io.StringIO(LOG))
    assert set(summary) == {"requests", "malformed", "status_counts", "top_paths",
                            "ms_by_method", "first", "last"}
    assert type(summary["requests"]) is int and summary["requests"] == 7
    assert type(summary["malformed"]) is int and summary["malformed"] == 2
    assert isinstance(summary["status_counts"], dict)
    assert dict(summary["status_counts"]) == {200: 4, 201: 1, 404: 1, 500: 1}


def test_top_paths_drop_query_strings():
    """Paths are counted without their query string and ranked by count"""
    summary = summarize(LOG.splitlines(), top=10)
    assert summary["top_paths"] == [
        ("/api/items", 2), ("/api/users", 2), ("/health", 2), ("/api/items/4", 1),
    ]
    assert all(type(pair) is tuple for pair in summary["top_paths"])


def test_top_paths_ties_keep_log_order():
    """Among equal counts the path seen first in the log ranks first; top limits the list"""
    lines = [
        "2024-01-01T00:00:00 GET /zeta 200 1ms",
        "2024-01-01T00:00:01 GET /beta 200 1ms",
        "2024-01-01T00:00:02 GET /alpha 200 1ms",
        "2024-01-01T00:00:03 GET /mid 200 1ms",
        "2024-01-01T00:00:04 GET /alpha 200 1ms",
        "2024-01-01T00:00:05 GET /beta 200 1ms",
    ]
    assert summarize(lines, top=3)["top_paths"] == [("/beta", 2), ("/alpha", 2), ("/zeta", 1)]
    assert summarize(lines, top=1)["top_paths"] == [("/beta", 2)]
    assert summarize(lines, top=0)["top_paths"] == []
    assert summarize(lines)["top_paths"] == [("/beta", 2), ("/alpha", 2), ("/zeta", 1)]


def test_durations_are_summed_exactly():
    """ms_by_method holds exact Decimal totals for the methods that occur"""
    lines = [f"2024-01-01T00:00:0{i} GET /a 200 0.1ms" for i in range(3)]
    lines.append("2024-01-01T00:00:09 PUT /a 204 2.50ms")
    totals = summarize(lines)["ms_by_method"]
    assert dict(totals) == {"GET": Decimal("0.3"), "PUT": Decimal("2.50")}
    assert all(type(v) is Decimal for v in totals.values())
    assert str(totals["PUT"]) == "2.50"
    log_totals = summarize(LOG.splitlines())["ms_by_method"]
    assert dict(log_totals) == {"GET": Decimal("14.70"), "POST": Decimal("20.20"),
                                "DELETE": Decimal("1.5")}


def test_first_and_last_are_min_and_max():
    """first and last are the earliest and latest timestamps, not the first and last lines"""
    summary = summarize(LOG.splitlines())
    assert type(summary["first"]) is datetime
    assert summary["first"] == datetime(2024, 3, 5, 9, 58, 0)
    assert summary["last"] == datetime(2024, 3, 5, 10, 1, 0)


def test_empty_input_and_bad_top():
    """No valid lines give zero counts and None times; a negative or non-int top is a ValueError"""
    summary = summarize(["", "junk", "   "])
    assert summary["requests"] == 0 and summary["malformed"] == 1
    assert summary["top_paths"] == [] and dict(summary["status_counts"]) == {}
    assert dict(summary["ms_by_method"]) == {}
    assert summary["first"] is None and summary["last"] is None
    for top in (-1, 2.0, "3"):
        with pytest.raises(ValueError):
            summarize([], top=top)


def test_encoder_writes_datetimes_and_exact_decimals():
    """LogEncoder writes datetime/date as isoformat and Decimal as an exact string"""
    assert issubclass(LogEncoder, json.JSONEncoder)
    data = {"at": datetime(2024, 3, 5, 14, 22, 1), "day": date(2024, 3, 5),
            "ms": Decimal("12.50"), "tiny": Decimal("0.000001"), "n": 3}
    decoded = json.loads(json.dumps(data, cls=LogEncoder))
    assert decoded == {"at": "2024-03-05T14:22:01", "day": "2024-03-05",
                       "ms": "12.50", "tiny": "0.000001", "n": 3}


def test_encoder_still_rejects_unknown_types():
    """Objects the encoder does not know still raise TypeError"""
    with pytest.raises(TypeError):
        json.dumps({"x": object()}, cls=LogEncoder)
    with pytest.raises(TypeError):
        json.dumps({1, 2}, cls=LogEncoder)
    assert json.dumps({"ok": [1, "a", None, 2.5]}, cls=LogEncoder) == '{"ok": [1, "a", null, 2.5]}'


def test_to_json_round_trip():
    """to_json produces sorted-key JSON of the whole summary"""
    text = to_json(summarize(LOG.splitlines(), top=2))
    assert type(text) is str
    assert text.index('"first"') < text.index('"last"') < text.index('"malformed"')
    assert json.loads(text) == {
        "requests": 7,
        "malformed": 2,
        "status_counts": {"200": 4, "201": 1, "404": 1, "500": 1},
        "top_paths": [["/api/items", 2], ["/api/users", 2]],
        "ms_by_method": {"DELETE": "1.5", "GET": "14.70", "POST": "20.20"},
        "first": "2024-03-05T09:58:00",
        "last": "2024-03-05T10:01:00",
    }

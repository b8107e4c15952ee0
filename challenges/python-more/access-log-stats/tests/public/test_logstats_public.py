import json
from datetime import datetime
from decimal import Decimal

from logstats import parse_line, summarize, to_json


def test_parse_line():
    entry = parse_line("2024-03-05T14:22:01 GET /api/items?page=2 200 12.50ms")
    assert entry == {
        "time": datetime(2024, 3, 5, 14, 22, 1),
        "method": "GET",
        "path": "/api/items",
        "status": 200,
        "ms": Decimal("12.50"),
    }


def test_malformed_line_is_none():
    assert parse_line("not a log line") is None


def test_summary_example():
    log = [
        "2024-03-05T14:22:01 GET /api/items?page=2 200 12.50ms",
        "2024-03-05T14:21:00 POST /api/items 201 30ms",
        "not a log line",
    ]
    summary = summarize(log)
    assert summary["requests"] == 2
    assert summary["malformed"] == 1
    assert summary["top_paths"] == [("/api/items", 2)]
    assert summary["ms_by_method"] == {"GET": Decimal("12.50"), "POST": Decimal("30")}
    assert summary["first"] == datetime(2024, 3, 5, 14, 21)
    assert json.loads(to_json(summary))["last"] == "2024-03-05T14:22:01"

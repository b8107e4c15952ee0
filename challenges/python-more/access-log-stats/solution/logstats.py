import heapq
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal

LINE = re.compile(
    r"(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\s+"
    r"(?P<method>GET|POST|PUT|PATCH|DELETE)\s+"
    r"(?P<path>/\S*)\s+"
    r"(?P<status>[1-5]\d\d)\s+"
    r"(?P<ms>\d+(?:\.\d+)?)ms",
    re.ASCII,
)


def parse_line(line):
    """Parse one access-log line into a dict, or return None when it is malformed."""
    match = LINE.fullmatch(line.strip())
    if match is None:
        return None
    try:
        when = datetime.strptime(match["time"], "%Y-%m-%dT%H:%M:%S")
    except ValueError:  # well formed but impossible, such as February 30th
        return None
    return {
        "time": when,
        "method": match["method"],
        "path": match["path"].split("?", 1)[0],
        "status": int(match["status"]),
        "ms": Decimal(match["ms"]),
    }


def summarize(lines, top=3):
    """Summarise an iterable of log lines (see the prompt for the keys)."""
    if type(top) is not int or top < 0:
        raise ValueError("top must be a whole number, 0 or more")
    requests = malformed = 0
    statuses = Counter()
    paths = Counter()  # keeps first-seen order, which breaks ties below
    ms_by_method = defaultdict(Decimal)
    first = last = None
    for line in lines:
        if not line.strip():
            continue
        entry = parse_line(line)
        if entry is None:
            malformed += 1
            continue
        requests += 1
        statuses[entry["status"]] += 1
        paths[entry["path"]] += 1
        ms_by_method[entry["method"]] += entry["ms"]
        if first is None or entry["time"] < first:
            first = entry["time"]
        if last is None or entry["time"] > last:
            last = entry["time"]
    # nlargest is stable: among equal counts the path seen first stays first.
    top_paths = heapq.nlargest(top, paths.items(), key=lambda item: item[1])
    return {
        "requests": requests,
        "malformed": malformed,
        "status_counts": dict(statuses),
        "top_paths": [(path, count) for path, count in top_paths],
        "ms_by_method": dict(ms_by_method),
        "first": first,
        "last": last,
    }


class LogEncoder(json.JSONEncoder):
    """JSON encoder that also writes datetimes, dates and Decimals."""

    def default(self, o):
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        if isinstance(o, Decimal):
            return str(o)  # a string keeps every digit, "12.50" stays "12.50"
        return super().default(o)


def to_json(summary):
    """Serialise a summary with LogEncoder and sorted keys."""
    return json.dumps(summary, cls=LogEncoder, sort_keys=True)

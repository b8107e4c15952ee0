import heapq
import json
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal


def parse_line(line):
    """Parse one access-log line into a dict, or return None when it is malformed."""
    time, method, path, status, ms = line.split()
    return {"time": time, "method": method, "path": path, "status": status, "ms": ms}


def summarize(lines, top=3):
    """Summarise an iterable of log lines (see the prompt for the keys)."""
    raise NotImplementedError("summarize")


class LogEncoder(json.JSONEncoder):
    """JSON encoder that also writes datetimes, dates and Decimals."""


def to_json(summary):
    """Serialise a summary with LogEncoder and sorted keys."""
    return json.dumps(summary, cls=LogEncoder, sort_keys=True)

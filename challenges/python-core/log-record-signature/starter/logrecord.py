"""Build log records from log calls."""

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_record(level, message, source="app", tags=[], **fields):
    """Return a record dict for one log call."""
    if level == "ERROR":
        tags.append("alert")
    return {"level": level, "message": message, "source": source, "tags": tags,
            "fields": fields}

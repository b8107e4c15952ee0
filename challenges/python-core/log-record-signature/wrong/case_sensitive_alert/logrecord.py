"""Build log records from log calls."""

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_record(level, message, /, *, source="app", tags=None, **fields):
    """Return a record dict for one log call."""
    if not isinstance(level, str) or not isinstance(message, str) or isinstance(tags, str):
        raise TypeError("level and message must be str; tags must not be a str")
    if level.upper() not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    unique = list(dict.fromkeys(tags or ()))
    if level == "ERROR" and "alert" not in unique:
        unique.append("alert")
    return {"level": level.upper(), "message": message, "source": source, "tags": unique,
            "fields": fields}

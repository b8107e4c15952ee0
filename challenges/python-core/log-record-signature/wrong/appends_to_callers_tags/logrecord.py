"""Build log records from log calls."""

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_record(level, message, /, *, source="app", tags=None, **fields):
    """Return a record dict for one log call."""
    if not isinstance(level, str) or not isinstance(message, str) or isinstance(tags, str):
        raise TypeError("level and message must be str; tags must not be a str")
    normalised = level.upper()
    if normalised not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    if tags is None:
        tags = []
    tags = list(tags) if not isinstance(tags, list) else tags
    if normalised == "ERROR" and "alert" not in tags:
        tags.append("alert")
    return {"level": normalised, "message": message, "source": source,
            "tags": list(dict.fromkeys(tags)), "fields": fields}

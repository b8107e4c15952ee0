"""Build log records from log calls."""

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_record(level, message, /, *, source="app", tags=None, **fields):
    """Return a record dict for one log call."""
    if not isinstance(level, str):
        raise TypeError(f"level must be a str, not {type(level).__name__}")
    if not isinstance(message, str):
        raise TypeError(f"message must be a str, not {type(message).__name__}")
    if isinstance(tags, str):
        raise TypeError("tags must be an iterable of strings, not a single string")
    normalised = level.upper()
    if normalised not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    unique = []
    for tag in tags if tags is not None else ():
        if tag not in unique:
            unique.append(tag)
    if normalised == "ERROR" and "alert" not in unique:
        unique.append("alert")
    return {"level": normalised, "message": message, "source": source, "tags": unique,
            "fields": fields}

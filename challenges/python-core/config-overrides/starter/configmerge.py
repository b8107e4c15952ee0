"""Merge configuration overrides into defaults."""


class _Remove:
    """Marker: an override value that deletes the key instead of setting it."""

    __slots__ = ()

    def __repr__(self):
        return "REMOVE"

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self


REMOVE = _Remove()

DEFAULTS = {
    "server": {"host": "127.0.0.1", "port": 8000, "allowed_hosts": ["localhost"]},
    "database": {"url": "sqlite:///app.db", "pool": {"size": 5, "timeout": 30}},
    "features": [],
    "debug": False,
}


def deep_merge(base, overrides):
    """Return a new dict: base with overrides applied recursively."""
    result = dict(base)
    result.update(overrides)
    return result


def make_config(overrides=None):
    """Return a fresh configuration: DEFAULTS with overrides applied."""
    if overrides:
        return deep_merge(DEFAULTS, overrides)
    return DEFAULTS

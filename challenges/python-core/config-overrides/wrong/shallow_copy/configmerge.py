"""Merge configuration overrides into defaults."""

import copy


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
    if not isinstance(base, dict) or not isinstance(overrides, dict):
        raise TypeError("base and overrides must be dicts")
    result = dict(base)
    for key, value in overrides.items():
        if value is REMOVE:
            result.pop(key, None)
        elif isinstance(value, dict):
            section = result.get(key)
            result[key] = deep_merge(section if isinstance(section, dict) else {}, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def make_config(overrides=None):
    """Return a fresh configuration: DEFAULTS with overrides applied."""
    return deep_merge(DEFAULTS, {} if overrides is None else overrides)

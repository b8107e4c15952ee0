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
    result = copy.deepcopy(base)
    _apply(result, overrides)
    return result


def _apply(target, overrides):
    for key, value in overrides.items():
        if value is REMOVE:
            target.pop(key, None)
        elif isinstance(value, dict):
            section = target.get(key)
            if not isinstance(section, dict):
                section = {}
            _apply(section, value)
            target[key] = section
        else:
            target[key] = value


def make_config(overrides=None):
    """Return a fresh configuration: DEFAULTS with overrides applied."""
    return deep_merge(DEFAULTS, {} if overrides is None else overrides)

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
    if not isinstance(base, dict):
        raise TypeError(f"base must be a dict, not {type(base).__name__}")
    if not isinstance(overrides, dict):
        raise TypeError(f"overrides must be a dict, not {type(overrides).__name__}")
    result = copy.deepcopy(base)
    _apply(result, overrides)
    return result


def _apply(target, overrides):
    """Write overrides into target, which belongs to us (a copy), in place."""
    for key, value in overrides.items():
        if value is REMOVE:
            del target[key]
        elif isinstance(value, dict):
            section = target.get(key)
            if not isinstance(section, dict):
                section = {}
            _apply(section, value)
            target[key] = section
        else:
            target[key] = copy.deepcopy(value)


def make_config(overrides=None):
    """Return a fresh configuration: DEFAULTS with overrides applied."""
    if overrides is None:
        overrides = {}
    return deep_merge(DEFAULTS, overrides)

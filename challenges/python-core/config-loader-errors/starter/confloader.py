"""Load and validate a JSON configuration."""

import json


class ConfigError(Exception):
    pass


class ConfigSourceError(Exception):
    pass


class ConfigSyntaxError(Exception):
    pass


class FieldError(Exception):
    pass


class MissingFieldError(Exception):
    pass


class InvalidFieldError(Exception):
    pass


def load_config(stream, *, on_loaded=None):
    """Read, parse and validate the configuration in stream."""
    data = json.loads(stream.read())
    if on_loaded is not None:
        on_loaded(data)
    return data

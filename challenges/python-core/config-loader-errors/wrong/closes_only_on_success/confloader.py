"""Load and validate a JSON configuration."""

import json


class ConfigError(Exception):
    """Base class of every error load_config raises on purpose."""


class ConfigSourceError(ConfigError):
    """The configuration could not be read."""


class ConfigSyntaxError(ConfigError):
    """The text is not JSON, or not a JSON object."""

    def __init__(self, message, line=None, column=None):
        super().__init__(message)
        self.line = line
        self.column = column


class FieldError(ConfigError):
    """A problem with one field of the configuration."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


class MissingFieldError(FieldError):
    def __init__(self, field):
        super().__init__(field, f"missing required field {field!r}")


class InvalidFieldError(FieldError):
    def __init__(self, field, value, reason):
        super().__init__(field, f"invalid value for {field!r}: {value!r} ({reason})")
        self.value = value
        self.reason = reason


REQUIRED = ("name", "port")


def load_config(stream, *, on_loaded=None):
    """Read, parse and validate the configuration in stream."""
    try:
        data = json.loads(stream.read())
    except OSError as exc:
        raise ConfigSourceError(f"cannot read the configuration: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigSyntaxError(f"not valid JSON: {exc.msg}", exc.lineno, exc.colno) from exc
    config = _validate(data)
    stream.close()
    if on_loaded is not None:
        on_loaded(config)
    return config


def _validate(data):
    if not isinstance(data, dict):
        raise ConfigSyntaxError("the configuration must be a JSON object")
    for field in REQUIRED:
        if field not in data:
            raise MissingFieldError(field)
    name = data["name"]
    if not isinstance(name, str) or not name:
        raise InvalidFieldError("name", name, "must be a non-empty string")
    port = _port(data["port"])
    debug = data.get("debug", False)
    if not isinstance(debug, bool):
        raise InvalidFieldError("debug", debug, "must be true or false")
    workers = data.get("workers", 1)
    if type(workers) is not int or workers < 1:
        raise InvalidFieldError("workers", workers, "must be an integer of at least 1")
    return {"name": name, "port": port, "debug": debug, "workers": workers}


def _port(raw):
    if isinstance(raw, str):
        try:
            port = int(raw)
        except ValueError as exc:
            raise InvalidFieldError("port", raw, "not a whole number") from exc
    elif type(raw) is int:  # bool is a subclass of int: excluded on purpose
        port = raw
    else:
        raise InvalidFieldError("port", raw, "must be an integer")
    if not 1 <= port <= 65535:
        raise InvalidFieldError("port", raw, "must be between 1 and 65535")
    return port

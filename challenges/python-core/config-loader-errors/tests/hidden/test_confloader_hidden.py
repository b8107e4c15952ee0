import json

import pytest
from confloader import (
    ConfigError,
    ConfigSourceError,
    ConfigSyntaxError,
    FieldError,
    InvalidFieldError,
    MissingFieldError,
    load_config,
)
from judge import by_reference, methods, remote_module, type_of, value

builtins = remote_module("builtins")

# An exception that crosses to the tests brings its __cause__ along but not its
# __context__, so that one is read where the exception was raised: in the candidate's
# process, by this small function defined there.
CONTEXT_OF = """
def context_of(function, *args, **kwargs):
    try:
        function(*args, **kwargs)
    except Exception as exc:
        return exc.__context__, exc.__suppress_context__
    return None
"""


def context_of(function, *args, **kwargs):
    """(__context__, __suppress_context__) of the exception function(*args) raises, as the
    candidate's own exception object has them; None when nothing was raised."""
    namespace = by_reference(builtins.dict)()
    builtins.exec(CONTEXT_OF, namespace)
    return namespace["context_of"](function, *args, **kwargs)


class FakeStream:
    """Has only read() and close(); counts the calls to close()."""

    def __init__(self, text="", error=None):
        self._text = text
        self._error = error
        self.reads = 0
        self.closes = 0

    def read(self):
        self.reads += 1
        if self._error is not None:
            raise self._error
        return self._text

    def close(self):
        self.closes += 1

    def handed_over(self):
        """What load_config receives: an object with read() and close() and nothing else."""
        return methods(self, "read", "close")


def stream_of(data):
    return FakeStream(json.dumps(data))


def test_exception_hierarchy_and_attributes():
    """The classes form the required hierarchy and keep their attributes"""
    assert issubclass(ConfigError, Exception)
    for cls in (ConfigSourceError, ConfigSyntaxError, FieldError):
        # The classes' own __bases__, read in the candidate's process.
        assert builtins.getattr(cls, "__bases__") == (ConfigError,)
    assert issubclass(MissingFieldError, FieldError)
    assert issubclass(InvalidFieldError, FieldError)
    missing = MissingFieldError("port")
    assert missing.field == "port" and "port" in str(missing)
    invalid = InvalidFieldError("workers", 0, "too small")
    assert (invalid.field, invalid.value, invalid.reason) == ("workers", 0, "too small")
    assert "workers" in str(invalid)
    syntax = ConfigSyntaxError("bad", 3, 7)
    assert (syntax.line, syntax.column) == (3, 7)
    assert ConfigSyntaxError("bad").line is None
    assert FieldError("name", "msg").field == "name"
    assert str(ConfigSourceError("cannot read")) == "cannot read"


def test_valid_config_gets_defaults_and_an_int_port():
    """A valid config returns exactly the four keys, defaults filled, port as int"""
    stream = stream_of({"name": "api", "port": "8080", "unknown": [1]})
    kept = by_reference(load_config)(stream.handed_over())
    assert type_of(kept) is dict  # as the candidate's process has it
    config = value(kept)
    assert config == {"name": "api", "port": 8080, "debug": False, "workers": 1}
    assert type(config["port"]) is int
    assert stream.reads == 1
    full = load_config(stream_of({"name": "w", "port": 65535, "debug": True, "workers": 8})
                       .handed_over())
    assert full == {"name": "w", "port": 65535, "debug": True, "workers": 8}


def test_read_failure_is_chained():
    """An OSError from read() becomes ConfigSourceError with the OSError as __cause__"""
    original = PermissionError(13, "denied")
    stream = FakeStream(error=original)
    with pytest.raises(ConfigSourceError) as info:
        load_config(stream.handed_over())
    assert info.value.__cause__ is original
    assert stream.closes == 1


def test_bad_json_is_chained_with_position():
    """Broken JSON raises ConfigSyntaxError with line, column and the decode error as cause"""
    text = '{"name": "api",\n  "port": }'
    with pytest.raises(json.JSONDecodeError) as decoded:
        json.loads(text)
    with pytest.raises(ConfigSyntaxError) as info:
        load_config(FakeStream(text).handed_over())
    error = info.value
    assert isinstance(error.__cause__, json.JSONDecodeError)
    # The decode error arrives without its lineno and colno: compare with a local one.
    assert (error.line, error.column) == (decoded.value.lineno, decoded.value.colno)
    assert (error.line, error.column) == (2, 11)


@pytest.mark.parametrize("text", ["[1, 2]", '"just a string"', "null"])
def test_non_object_is_a_syntax_error(text):
    """JSON that is not an object raises ConfigSyntaxError with no position"""
    with pytest.raises(ConfigSyntaxError) as info:
        load_config(FakeStream(text).handed_over())
    assert info.value.line is None and info.value.column is None


@pytest.mark.parametrize(
    "data, field",
    [({}, "name"), ({"port": 0}, "name"), ({"name": ""}, "port"), ({"name": "a"}, "port")],
)
def test_missing_fields_come_first_without_chaining(data, field):
    """The first missing required field is reported, with no chained exception"""
    with pytest.raises(MissingFieldError) as info:
        load_config(stream_of(data).handed_over())
    error = info.value
    assert type(error) is MissingFieldError
    assert error.field == field
    assert error.__cause__ is None
    found = context_of(load_config, stream_of(data).handed_over())
    assert found is not None
    context, suppressed = found
    assert context is None or suppressed is True


@pytest.mark.parametrize(
    "data, field, value",
    [
        ({"name": "", "port": 80}, "name", ""),
        ({"name": 5, "port": True}, "name", 5),
        ({"name": "a", "port": True}, "port", True),
        ({"name": "a", "port": 0}, "port", 0),
        ({"name": "a", "port": "70000"}, "port", "70000"),
        ({"name": "a", "port": 80.0}, "port", 80.0),
        ({"name": "a", "port": None, "debug": "x"}, "port", None),
        ({"name": "a", "port": 80, "debug": "yes"}, "debug", "yes"),
        ({"name": "a", "port": 80, "workers": 0}, "workers", 0),
        ({"name": "a", "port": 80, "workers": True}, "workers", True),
        ({"name": "a", "port": 80, "workers": "2"}, "workers", "2"),
    ],
)
def test_invalid_values_name_field_and_value(data, field, value):
    """The first invalid value raises InvalidFieldError with its field and original value"""
    with pytest.raises(InvalidFieldError) as info:
        load_config(stream_of(data).handed_over())
    assert info.value.field == field
    assert type(info.value.value) is type(value) and info.value.value == value
    assert isinstance(info.value.reason, str)


def test_unparsable_port_string_chains_the_value_error():
    """A port string int() cannot parse raises InvalidFieldError caused by the ValueError"""
    with pytest.raises(InvalidFieldError) as info:
        load_config(stream_of({"name": "a", "port": "http"}).handed_over())
    assert info.value.value == "http"
    assert type(info.value.__cause__) is ValueError


def test_on_loaded_runs_only_after_success():
    """on_loaded gets the finished config once, and is never called when loading fails"""
    seen = []
    config = load_config(stream_of({"name": "a", "port": 1}).handed_over(), on_loaded=seen.append)
    assert seen == [config]
    with pytest.raises(ConfigError):
        load_config(stream_of({"name": "a", "port": 0}).handed_over(), on_loaded=seen.append)
    with pytest.raises(ConfigError):
        load_config(FakeStream("{").handed_over(), on_loaded=seen.append)
    assert len(seen) == 1


def test_callback_errors_propagate_unchanged():
    """An exception raised by on_loaded is re-raised as is, not wrapped, and the stream closes"""
    problem = RuntimeError("callback failed")

    def on_loaded(config):
        raise problem

    stream = stream_of({"name": "a", "port": 1})
    with pytest.raises(RuntimeError) as info:
        load_config(stream.handed_over(), on_loaded=on_loaded)
    assert info.value is problem
    assert not isinstance(info.value, ConfigError)
    assert stream.closes == 1


@pytest.mark.parametrize(
    "stream",
    [
        FakeStream('{"name": "a", "port": 1}'),
        FakeStream("{not json"),
        FakeStream("[]"),
        FakeStream("{}"),
        FakeStream('{"name": "a", "port": -1}'),
        FakeStream(error=OSError("gone")),
    ],
)
def test_stream_is_closed_exactly_once_on_every_path(stream):
    """close() is called exactly once whether loading succeeds or fails"""
    try:
        load_config(stream.handed_over())
    except ConfigError:
        pass
    assert stream.closes == 1

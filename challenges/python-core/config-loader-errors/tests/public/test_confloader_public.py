import pytest
from confloader import ConfigError, MissingFieldError, load_config
from judge import remote_module

# A StringIO made in your code's process: load_config can call its read() and close().
io = remote_module("io")


def test_loads_a_valid_config():
    config = load_config(io.StringIO('{"name": "api", "port": 8080, "workers": 4}'))
    assert config == {"name": "api", "port": 8080, "debug": False, "workers": 4}


def test_missing_port_names_the_field():
    with pytest.raises(MissingFieldError) as info:
        load_config(io.StringIO('{"name": "api"}'))
    assert info.value.field == "port"
    assert isinstance(info.value, ConfigError)


def test_stream_is_closed():
    stream = io.StringIO('{"name": "api", "port": 1}')
    load_config(stream)
    assert stream.closed is True

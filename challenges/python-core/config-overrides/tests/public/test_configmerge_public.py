import configmerge
from configmerge import REMOVE, deep_merge, make_config
from judge import by_reference


def test_nested_override_keeps_other_keys():
    base = {"db": {"host": "localhost", "port": 5432}, "debug": False}
    result = deep_merge(base, {"db": {"port": 6543}})
    assert result == {"db": {"host": "localhost", "port": 6543}, "debug": False}


def test_remove_drops_a_key():
    result = deep_merge({"a": 1, "b": 2}, {"b": REMOVE})
    assert result == {"a": 1}


def test_make_config_does_not_touch_defaults():
    # Your code runs in another process and a dict it returns arrives as a copy, so
    # by_reference keeps make_config's dict (and the list inside it) where they live.
    config = by_reference(make_config)({"server": {"port": 9000}})
    server = by_reference(config.__getitem__)("server")
    hosts = by_reference(server.__getitem__)("allowed_hosts")
    hosts.append("example.org")
    assert config["server"]["port"] == 9000
    assert config["server"]["allowed_hosts"] == ["localhost", "example.org"]
    assert configmerge.DEFAULTS["server"]["allowed_hosts"] == ["localhost"]

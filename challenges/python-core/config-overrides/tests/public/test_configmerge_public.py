from configmerge import DEFAULTS, REMOVE, deep_merge, make_config


def test_nested_override_keeps_other_keys():
    base = {"db": {"host": "localhost", "port": 5432}, "debug": False}
    result = deep_merge(base, {"db": {"port": 6543}})
    assert result == {"db": {"host": "localhost", "port": 6543}, "debug": False}


def test_remove_drops_a_key():
    result = deep_merge({"a": 1, "b": 2}, {"b": REMOVE})
    assert result == {"a": 1}


def test_make_config_does_not_touch_defaults():
    config = make_config({"server": {"port": 9000}})
    config["server"]["allowed_hosts"].append("example.org")
    assert config["server"]["port"] == 9000
    assert DEFAULTS["server"]["allowed_hosts"] == ["localhost"]

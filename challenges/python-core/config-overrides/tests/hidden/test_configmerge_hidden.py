import copy

import pytest

from configmerge import DEFAULTS, REMOVE, deep_merge, make_config

ORIGINAL_DEFAULTS = {
    "server": {"host": "127.0.0.1", "port": 8000, "allowed_hosts": ["localhost"]},
    "database": {"url": "sqlite:///app.db", "pool": {"size": 5, "timeout": 30}},
    "features": [],
    "debug": False,
}


def sample_base():
    return {
        "name": "svc",
        "db": {"host": "localhost", "port": 5432, "options": {"ssl": False, "retries": [1, 2]}},
        "workers": [{"queue": "high", "size": 2}, {"queue": "low", "size": 1}],
        "tags": ("a", "b"),
        "debug": False,
    }


def containers(obj):
    """Every dict and list reachable from obj, with obj itself."""
    found = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            found.append(item)
            stack.extend(item)
        elif isinstance(item, tuple):
            stack.extend(item)
    return found


def test_result_is_a_new_plain_dict():
    """deep_merge returns a new plain dict, not one of its arguments"""
    base = {"a": 1}
    overrides = {}
    result = deep_merge(base, overrides)
    assert type(result) is dict
    assert result is not base and result is not overrides
    assert result == {"a": 1}


def test_recursive_merge_rules():
    """Dicts merge recursively, other values replace, new keys are added"""
    result = deep_merge(sample_base(), {
        "db": {"port": 6543, "options": {"ssl": True}},
        "workers": [{"queue": "only", "size": 9}],
        "tags": ("z",),
        "region": "eu",
    })
    assert result == {
        "name": "svc",
        "db": {"host": "localhost", "port": 6543, "options": {"ssl": True, "retries": [1, 2]}},
        "workers": [{"queue": "only", "size": 9}],
        "tags": ("z",),
        "debug": False,
        "region": "eu",
    }


def test_inputs_are_not_mutated():
    """Neither base nor overrides changes, at any depth"""
    base = sample_base()
    overrides = {"db": {"options": {"ssl": True, "retries": REMOVE}}, "debug": REMOVE,
                 "extra": {"x": [1]}}
    base_before = copy.deepcopy(base)
    overrides_before = copy.deepcopy(overrides)
    deep_merge(base, overrides)
    assert base == base_before
    assert overrides == overrides_before


def test_result_shares_no_container_with_inputs():
    """No dict or list in the result is also reachable from base or overrides"""
    base = sample_base()
    overrides = {"db": {"options": {"ssl": True}}, "extra": {"hosts": ["a", "b"]},
                 "more": [[1], {"k": [2]}]}
    result = deep_merge(base, overrides)
    input_ids = {id(c) for c in containers(base) + containers(overrides)}
    shared = [c for c in containers(result) if id(c) in input_ids]
    assert shared == []


def test_changing_the_result_leaves_inputs_alone():
    """Appending to lists of the result does not reach base or overrides"""
    base = sample_base()
    overrides = {"hosts": ["a"], "db": {"options": {"ssl": True}}}
    result = deep_merge(base, overrides)
    result["hosts"].append("b")
    result["db"]["options"]["retries"].append(3)
    result["workers"][0]["size"] = 100
    assert overrides["hosts"] == ["a"]
    assert base["db"]["options"]["retries"] == [1, 2]
    assert base["workers"][0]["size"] == 2


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"debug": REMOVE}, {"a": {"b": 1, "c": 2}}),
        ({"a": {"c": REMOVE}}, {"a": {"b": 1}, "debug": True}),
        ({"missing": REMOVE, "a": {"zzz": REMOVE}}, {"a": {"b": 1, "c": 2}, "debug": True}),
    ],
)
def test_remove_sentinel(overrides, expected):
    """REMOVE drops a key at the top level or nested, and absent keys are fine"""
    result = deep_merge({"a": {"b": 1, "c": 2}, "debug": True}, overrides)
    assert result == expected


def test_dict_override_replaces_non_dict_and_strips_remove():
    """A dict over a non-dict or missing key replaces it, without REMOVE markers"""
    result = deep_merge({"cache": "off"}, {
        "cache": {"backend": "memory", "ttl": REMOVE},
        "new": {"inner": {"x": 1, "gone": REMOVE}},
    })
    assert result == {"cache": {"backend": "memory"}, "new": {"inner": {"x": 1}}}


def test_make_config_calls_are_independent():
    """make_config returns a fresh deep copy every call; DEFAULTS never changes"""
    first = make_config()
    assert type(first) is dict
    assert first == ORIGINAL_DEFAULTS
    assert first is not DEFAULTS
    first["features"].append("beta")
    first["database"]["pool"]["size"] = 50
    first["server"]["allowed_hosts"].append("evil.example")
    second = make_config({"debug": True})
    assert second["features"] == []
    assert second["database"]["pool"]["size"] == 5
    assert second["server"]["allowed_hosts"] == ["localhost"]
    assert DEFAULTS == ORIGINAL_DEFAULTS


def test_make_config_applies_overrides():
    """make_config merges its overrides into DEFAULTS and leaves the overrides alone"""
    overrides = {"database": {"pool": {"size": 20}}, "features": ["search"], "debug": REMOVE}
    config = make_config(overrides)
    assert config == {
        "server": {"host": "127.0.0.1", "port": 8000, "allowed_hosts": ["localhost"]},
        "database": {"url": "sqlite:///app.db", "pool": {"size": 20, "timeout": 30}},
        "features": ["search"],
    }
    config["features"].append("beta")
    assert overrides["features"] == ["search"]
    assert DEFAULTS == ORIGINAL_DEFAULTS


@pytest.mark.parametrize(
    "call",
    [
        lambda: deep_merge([("a", 1)], {}),
        lambda: deep_merge({"a": 1}, [("a", 2)]),
        lambda: deep_merge({"a": 1}, None),
        lambda: make_config("debug=true"),
    ],
)
def test_rejects_non_dict_arguments(call):
    """A base or overrides that is not a dict raises TypeError"""
    with pytest.raises(TypeError):
        call()

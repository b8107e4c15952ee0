import configmerge
import pytest
from configmerge import REMOVE, deep_merge, make_config
from judge import by_reference, remote_module, type_of, value

builtins = remote_module("builtins")

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


# Dicts and lists of the tests cross to the candidate's process as copies, and so do the
# ones its code returns.  The aliasing tests therefore build their inputs there, keep
# handles to the candidate's own objects, and change or compare those.


def in_candidate(data):
    """A dict in the candidate's process with data's contents; no other object there
    shares any of its dicts or lists."""
    return by_reference(builtins.dict)(data)


def part(container, *keys):
    """The candidate's own object at container[key1][key2]... (a handle when it is a dict
    or a list)."""
    for key in keys:
        container = by_reference(container.__getitem__)(key)
    return container


def containers(obj):
    """Every dict and list reachable from obj, with obj itself, as handles (the tuples in
    these tests hold only plain values)."""
    found = []
    stack = [obj]
    while stack:
        item = stack.pop()
        kind = type_of(item)
        if kind is dict:
            found.append(item)
            stack.extend(part(item, key) for key in list(item))
        elif kind is list:
            found.append(item)
            stack.extend(part(item, index) for index in range(len(item)))
    return found


def test_result_is_a_new_plain_dict():
    """deep_merge returns a new plain dict, not one of its arguments"""
    base = in_candidate({"a": 1})
    overrides = in_candidate({})
    result = by_reference(deep_merge)(base, overrides)
    assert type_of(result) is dict
    assert result is not base and result is not overrides
    assert value(result) == {"a": 1}


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
    overrides_before = {"db": {"options": {"ssl": True, "retries": REMOVE}}, "debug": REMOVE,
                        "extra": {"x": [1]}}
    base = in_candidate(sample_base())
    overrides = in_candidate(overrides_before)
    result = deep_merge(base, overrides)
    assert (result["name"], result["extra"]) == ("svc", {"x": [1]})
    assert value(base) == sample_base()
    assert value(overrides) == overrides_before


def test_result_shares_no_container_with_inputs():
    """No dict or list in the result is also reachable from base or overrides"""
    base = in_candidate(sample_base())
    overrides = in_candidate({"db": {"options": {"ssl": True}}, "extra": {"hosts": ["a", "b"]},
                              "more": [[1], {"k": [2]}]})
    result = by_reference(deep_merge)(base, overrides)
    assert value(result)["more"] == [[1], {"k": [2]}]
    inputs = containers(base) + containers(overrides)
    assert len(inputs) == 16
    found = containers(result)
    assert len(found) == 13
    shared = [c for c in found if any(c is i for i in inputs)]
    assert shared == []


def test_changing_the_result_leaves_inputs_alone():
    """Appending to lists of the result does not reach base or overrides"""
    base = in_candidate(sample_base())
    overrides = in_candidate({"hosts": ["a"], "db": {"options": {"ssl": True}}})
    result = by_reference(deep_merge)(base, overrides)
    part(result, "hosts").append("b")
    part(result, "db", "options", "retries").append(3)
    part(result, "workers", 0)["size"] = 100
    changed = value(result)
    assert (changed["hosts"], changed["db"]["options"]["retries"]) == (["a", "b"], [1, 2, 3])
    assert value(overrides)["hosts"] == ["a"]
    assert value(base)["db"]["options"]["retries"] == [1, 2]
    assert value(base)["workers"][0]["size"] == 2


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
    first = by_reference(make_config)()
    assert type_of(first) is dict
    assert value(first) == ORIGINAL_DEFAULTS
    assert first is not by_reference(configmerge).DEFAULTS
    part(first, "features").append("beta")
    part(first, "database", "pool")["size"] = 50
    part(first, "server", "allowed_hosts").append("evil.example")
    second = make_config({"debug": True})
    assert second["features"] == []
    assert second["database"]["pool"]["size"] == 5
    assert second["server"]["allowed_hosts"] == ["localhost"]
    assert configmerge.DEFAULTS == ORIGINAL_DEFAULTS


def test_make_config_applies_overrides():
    """make_config merges its overrides into DEFAULTS and leaves the overrides alone"""
    overrides = in_candidate({"database": {"pool": {"size": 20}}, "features": ["search"],
                              "debug": REMOVE})
    config = by_reference(make_config)(overrides)
    assert value(config) == {
        "server": {"host": "127.0.0.1", "port": 8000, "allowed_hosts": ["localhost"]},
        "database": {"url": "sqlite:///app.db", "pool": {"size": 20, "timeout": 30}},
        "features": ["search"],
    }
    part(config, "features").append("beta")
    assert value(config)["features"] == ["search", "beta"]
    assert value(overrides)["features"] == ["search"]
    assert configmerge.DEFAULTS == ORIGINAL_DEFAULTS


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
    assert deep_merge({"a": 1}, {"a": 2}) == {"a": 2}

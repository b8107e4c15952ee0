import pytest
from algos import LRUCache, merge_intervals
from judge import by_reference, remote_module, subclass, type_of, value


@pytest.mark.parametrize(
    "cases",
    [
        [([(5, 7), (1, 2), (3, 4)], [(1, 2), (3, 4), (5, 7)]),
         ([(6, 9), (1, 4), (3, 5)], [(1, 5), (6, 9)])],
        [([(1, 3), (3, 5)], [(1, 5)]),
         ([(3, 5), (1, 3), (5, 5)], [(1, 5)])],
        [([(1, 10), (2, 3), (4, 5)], [(1, 10)]),
         ([(2, 3), (1, 10), (11, 12)], [(1, 10), (11, 12)])],
        [([(4, 4), (4, 4)], [(4, 4)]),
         ([(-5, -1), (-2, 0), (0, 0)], [(-5, 0)]),
         ([(1.5, 2.5), (2.5, 3)], [(1.5, 3)])],
    ],
    ids=["apart-and-overlapping", "touching", "contained", "points-negative-floats"],
)
def test_merge_cases(cases):
    """Unsorted, touching, contained, single-point and negative intervals merge correctly"""
    for given, expected in cases:
        assert merge_intervals(given) == expected


def test_merge_returns_new_list_of_tuples_and_keeps_input():
    """The result is a new list of tuples; the input list and its inner lists are unchanged"""
    # The input is built in the candidate's process, so that an in-place change is seen.
    make_list = by_reference(remote_module("builtins").list)
    inner = make_list([1, 4])
    given = make_list([[9, 12], inner, [2, 3], [11, 14]])
    result = by_reference(merge_intervals)(given)
    assert type_of(result) is list and result is not given
    merged = value(result)
    assert merged == [(1, 4), (9, 14)]
    assert all(type(pair) is tuple for pair in merged)
    assert value(given) == [[9, 12], [1, 4], [2, 3], [11, 14]]
    assert by_reference(by_reference(given).__getitem__)(1) is inner


def test_merge_accepts_any_iterable():
    """A generator of pairs works, and a single interval comes back as it was"""
    assert merge_intervals(pair for pair in [(6, 8), (0, 1)]) == [(0, 1), (6, 8)]
    assert merge_intervals([[2, 9]]) == [(2, 9)]
    assert merge_intervals(iter(())) == []


def test_merge_rejects_reversed_pairs():
    """A pair whose start is greater than its end raises ValueError"""
    for bad in ([(3, 1)], [(1, 2), (5, 4)], [[0, -1]]):
        with pytest.raises(ValueError):
            merge_intervals(bad)
    assert merge_intervals([(4, 4), (1, 2)]) == [(1, 2), (4, 4)]


def test_lru_get_refreshes_recency():
    """get makes a key the most recently used, so another key is evicted"""
    cache = LRUCache(3)
    for key in "abc":
        cache.put(key, key.upper())
    assert cache.get("a") == "A"
    cache.put("d", "D")
    assert cache.keys() == ["c", "a", "d"]
    assert "b" not in cache
    assert cache.get("c") == "C"
    cache.put("e", "E")
    assert cache.keys() == ["d", "c", "e"]
    assert type(cache.keys()) is list


def test_lru_update_does_not_evict():
    """Replacing a stored key at full capacity keeps every key and refreshes that key"""
    cache = LRUCache(2)
    cache.put("x", 1)
    cache.put("y", 2)
    cache.put("y", 20)
    assert len(cache) == 2
    assert cache.keys() == ["x", "y"]
    cache.put("x", 10)
    assert cache.keys() == ["y", "x"]
    assert cache.get("x") == 10 and cache.get("y") == 20
    cache.put("z", 3)
    assert cache.keys() == ["y", "z"]


def test_lru_capacity_zero_and_one():
    """Capacity 0 stores nothing; capacity 1 keeps only the latest key"""
    empty = LRUCache(0)
    empty.put("a", 1)
    assert len(empty) == 0 and empty.get("a", "none") == "none" and empty.keys() == []
    one = LRUCache(1)
    one.put("a", 1)
    one.put("b", 2)
    assert one.keys() == ["b"] and one.get("a") is None and one.get("b") == 2
    one.put("b", 3)
    assert one.keys() == ["b"] and one.get("b") == 3


def test_lru_rejects_bad_capacity():
    """A negative capacity is a ValueError; a non-int (bool included) is a TypeError"""
    for capacity, error in ((-1, ValueError), (-50, ValueError), (True, TypeError),
                            (2.0, TypeError), ("3", TypeError), (None, TypeError)):
        with pytest.raises(error):
            LRUCache(capacity)
    cache = LRUCache(1)
    cache.put("k", "v")
    assert cache.keys() == ["k"] and cache.get("k") == "v"


def test_lru_misses_falsy_values_and_contains():
    """A miss returns default and changes nothing; stored falsy values are hits; `in` is not a use"""
    cache = LRUCache(2)
    cache.put("none", None)
    cache.put("zero", 0)
    assert cache.get("missing", "dflt") == "dflt"
    assert cache.keys() == ["none", "zero"]
    assert cache.get("none", "dflt") is None
    assert cache.keys() == ["zero", "none"]
    assert cache.get("zero", 99) == 0
    assert "none" in cache
    assert "missing" not in cache
    cache.put("new", 1)
    assert cache.keys() == ["zero", "new"]
    assert len(cache) == 2


COMPARISONS = [0]
BUDGET = 8  # comparisons allowed per get or put


def make_key_class(operations: int):
    """A key class made in the candidate's process: it hashes like its text, and each ==
    on it calls back into the tests, which count it.  Past BUDGET * operations the count
    stops a scanning cache right away instead of letting it run on."""
    user_string = remote_module("collections").UserString

    def counted_eq(self, other):
        COMPARISONS[0] += 1
        assert COMPARISONS[0] <= BUDGET * operations, "the cache compares keys one by one"
        return user_string.__eq__(self, other)

    return subclass(user_string, "Key", {"__eq__": counted_eq, "__hash__": user_string.__hash__})


def test_lru_get_and_put_do_not_scan():
    """get and put use hashing, not a scan: comparisons per operation stay constant"""
    size = 400
    steps = range(0, size, 3)
    Key = make_key_class(2 * len(steps))  # noqa: N806
    COMPARISONS[0] = 0
    cache = LRUCache(size)
    for n in range(size):
        cache.put(Key(str(n)), n)
    COMPARISONS[0] = 0
    operations = 0
    for n in steps:
        assert cache.get(Key(str(n))) == n  # equal but not identical keys
        cache.put(Key(str(n + 1)), -n)
        operations += 2
    assert len(cache) == size
    assert COMPARISONS[0] <= BUDGET * operations

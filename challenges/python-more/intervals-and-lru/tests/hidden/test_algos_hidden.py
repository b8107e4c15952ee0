import pytest

from algos import LRUCache, merge_intervals


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
    given = [[9, 12], [1, 4], [2, 3], [11, 14]]
    snapshot = [list(pair) for pair in given]
    inner = given[1]
    result = merge_intervals(given)
    assert type(result) is list and result is not given
    assert result == [(1, 4), (9, 14)]
    assert all(type(pair) is tuple for pair in result)
    assert given == snapshot and given[1] is inner


def test_merge_accepts_any_iterable():
    """A generator of pairs works, and a single interval comes back as it was"""
    assert merge_intervals((pair for pair in [(6, 8), (0, 1)])) == [(0, 1), (6, 8)]
    assert merge_intervals([[2, 9]]) == [(2, 9)]
    assert merge_intervals(iter(())) == []


def test_merge_rejects_reversed_pairs():
    """A pair whose start is greater than its end raises ValueError"""
    for bad in ([(3, 1)], [(1, 2), (5, 4)], [[0, -1]]):
        with pytest.raises(ValueError):
            merge_intervals(bad)


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


class Key:
    """A key that counts how often it is compared with ==."""

    comparisons = 0

    def __init__(self, n):
        self.n = n

    def __hash__(self):
        return hash(self.n)

    def __eq__(self, other):
        Key.comparisons += 1
        return isinstance(other, Key) and self.n == other.n


def test_lru_get_and_put_do_not_scan():
    """get and put use hashing, not a scan: comparisons per operation stay constant"""
    size = 400
    cache = LRUCache(size)
    for n in range(size):
        cache.put(Key(n), n)
    Key.comparisons = 0
    operations = 0
    for n in range(0, size, 3):
        assert cache.get(Key(n)) == n  # equal but not identical keys
        cache.put(Key(n + 1), -n)
        operations += 2
    assert len(cache) == size
    assert Key.comparisons <= 8 * operations

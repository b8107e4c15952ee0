from algos import LRUCache, merge_intervals


def test_merge_example():
    assert merge_intervals([[8, 10], (1, 3), (2, 6), (15, 18), (10, 11)]) == [
        (1, 6), (8, 11), (15, 18),
    ]


def test_merge_empty():
    assert merge_intervals([]) == []


def test_lru_example():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert cache.keys() == ["a", "c"]
    assert cache.get("b") is None

import functools

import pytest
from judge import type_of
from memo import bounded, memoize, per_region


def counting(func):
    """Wrap func so the test can see every real call as (args, kwargs)."""
    calls = []

    def inner(*args, **kwargs):
        calls.append((args, kwargs))
        return func(*args, **kwargs)

    inner.calls = calls
    return inner


def test_memoize_counts_hits_misses_and_size():
    """Equal calls run func once; cache_info is a dict of int hits, misses and size"""
    spy = counting(lambda a, b=0: a + b)
    add = memoize(spy)
    assert add(1, b=2) == 3
    assert add(1, b=2) == 3
    assert add(1, b=2) == 3
    assert add(2) == 2
    assert len(spy.calls) == 2
    info = add.cache_info()
    assert type(info) is dict
    assert all(type(info[k]) is int for k in ("hits", "misses", "size"))
    assert info == {"hits": 2, "misses": 2, "size": 2}


def test_memoize_keyword_order_does_not_matter():
    """f(1, a=2, b=3) and f(1, b=3, a=2) are one cache entry; different values are not"""
    spy = counting(lambda x, **kw: (x, sorted(kw.items())))
    f = memoize(spy)
    first = f(1, a=2, b=3)
    assert f(1, b=3, a=2) == first
    assert len(spy.calls) == 1
    assert f(1, a=2, b=4) == (1, [("a", 2), ("b", 4)])
    assert f(1, a=2) == (1, [("a", 2)])
    assert len(spy.calls) == 3


def test_memoize_keeps_positional_and_keyword_arguments_apart():
    """A positional tuple never collides with keyword arguments that look the same"""
    spy = counting(lambda *args, **kwargs: (args, kwargs))
    echo = memoize(spy)
    assert echo(("x", 1)) == ((("x", 1),), {})
    assert echo(x=1) == ((), {"x": 1})
    assert echo(("a", 1), ("b", 2)) == ((("a", 1), ("b", 2)), {})
    assert echo(a=1, b=2) == ((), {"a": 1, "b": 2})
    assert len(spy.calls) == 4


def test_memoize_caches_falsy_results():
    """None, 0, empty string and False are cached like any other result"""
    results = {"none": None, "zero": 0, "empty": "", "false": False}
    spy = counting(lambda name: results[name])
    look = memoize(spy)
    for _ in range(3):
        for name, value in results.items():
            got = look(name)
            assert got == value and type(got) is type(value)
    assert len(spy.calls) == 4
    assert look.cache_info() == {"hits": 8, "misses": 4, "size": 4}


def test_memoize_does_not_cache_exceptions():
    """A call that raises stores nothing and counts as a miss; the next call runs again"""
    attempts = []

    @memoize
    def flaky(n):
        attempts.append(n)
        if len(attempts) == 1:
            raise ConnectionError("first try fails")
        return n * 10

    with pytest.raises(ConnectionError):
        flaky(3)
    assert flaky.cache_info() == {"hits": 0, "misses": 1, "size": 0}
    assert flaky(3) == 30
    assert flaky(3) == 30
    assert attempts == [3, 3]
    assert flaky.cache_info() == {"hits": 1, "misses": 2, "size": 1}


def test_memoize_unhashable_arguments_bypass_the_cache():
    """A list argument (positional or keyword) calls func every time and changes no counter"""
    spy = counting(lambda items, scale=1: sum(items) * (scale if isinstance(scale, int) else len(scale)))
    total = memoize(spy)
    assert total([1, 2, 3]) == 6
    assert total([1, 2, 3]) == 6
    assert total((1, 2), scale=[0, 0]) == 6
    assert len(spy.calls) == 3
    assert total.cache_info() == {"hits": 0, "misses": 0, "size": 0}
    assert total((1, 2)) == 3
    assert total((1, 2)) == 3
    assert len(spy.calls) == 4


def test_memoize_clear_metadata_and_separate_caches():
    """cache_clear empties the cache and counters; wraps keeps metadata; caches are per function"""
    def double(n):
        """Double n."""
        return n * 2

    spy_a, spy_b = counting(double), counting(double)
    a, b = memoize(spy_a), memoize(spy_b)
    a(1), a(1), b(1)
    assert len(spy_a.calls) == 1 and len(spy_b.calls) == 1
    a.cache_clear()
    assert a.cache_info() == {"hits": 0, "misses": 0, "size": 0}
    assert b.cache_info()["size"] == 1
    a(1)
    assert len(spy_a.calls) == 2
    wrapped = memoize(double)
    assert wrapped.__name__ == "double"
    assert wrapped.__doc__ == "Double n."
    assert wrapped(4) == 8


def test_bounded_evicts_the_least_recently_used_entry():
    """With maxsize 2 a hit refreshes an entry, and the least recently used one is evicted"""
    spy = counting(lambda n: n * 3)
    cached = bounded(spy, 2)
    for n in (1, 2, 1, 3, 1, 2):
        assert cached(n) == n * 3
    assert [c[0][0] for c in spy.calls] == [1, 2, 3, 2]
    info = cached.cache_info()
    assert (info.hits, info.misses, info.maxsize) == (2, 4, 2)
    cached.cache_clear()
    assert cached.cache_info().currsize == 0


def test_bounded_caches_types_separately():
    """g(1) and g(1.0) are separate entries, so each result keeps its own type"""
    spy = counting(lambda n, factor=2: n * factor)
    cached = bounded(spy, 8)
    for n, factor in ((1, 2), (1.0, 2), (3, 5), (3.0, 5)):
        got = cached(n, factor)
        assert type(got) is type(n) and got == n * factor
    assert len(spy.calls) == 4


def test_bounded_maxsize_rules():
    """maxsize below 1 raises ValueError before any call; maxsize=None keeps every result"""
    spy = counting(lambda n: -n)
    for maxsize in (0, -1, -10):
        with pytest.raises(ValueError):
            bounded(spy, maxsize)
    assert spy.calls == []
    cached = bounded(spy, None)
    for _ in range(2):
        for n in range(300):
            assert cached(n) == -n
    assert len(spy.calls) == 300
    assert cached.cache_info().currsize == 300


def test_per_region_partials_share_one_cache():
    """Each region maps to a functools.partial with region bound; all wrap one memoised fetch"""
    spy = counting(lambda key, *, region: f"{region}/{key}")
    fetchers = per_region(spy, ["eu", "us", "ap"])
    assert type(fetchers) is dict
    assert list(fetchers) == ["eu", "us", "ap"]
    for region, fetcher in fetchers.items():
        assert type_of(fetcher) is functools.partial
        assert fetcher.keywords == {"region": region}
        assert fetcher.args == ()
    shared = fetchers["eu"].func
    assert all(f.func is shared for f in fetchers.values())
    assert fetchers["eu"]("k") == "eu/k"
    assert fetchers["eu"]("k") == "eu/k"
    assert shared("k", region="eu") == "eu/k"
    assert len(spy.calls) == 1
    assert shared.cache_info() == {"hits": 2, "misses": 1, "size": 1}


def test_per_region_keeps_regions_apart():
    """A key fetched for one region is never served to another; each call memoises anew"""
    spy = counting(lambda key, *, region: f"{region}/{key}")
    fetchers = per_region(spy, iter(["eu", "us"]))
    assert fetchers["eu"]("price") == "eu/price"
    assert fetchers["us"]("price") == "us/price"
    assert fetchers["us"]("price") == "us/price"
    assert len(spy.calls) == 2
    again = per_region(spy, ["eu"])
    assert again["eu"].func is not fetchers["eu"].func
    assert again["eu"]("price") == "eu/price"
    assert len(spy.calls) == 3
    assert per_region(spy, []) == {}

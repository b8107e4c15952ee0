import functools


def retry(times, exceptions=(Exception,)):
    """Return a decorator that retries the wrapped function."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        return wrapper
    return decorator

"""Factories that keep their state in closures."""


def make_counter(start=0, step=1):
    """Return a function returning start, start + step, start + 2*step, ..."""
    if step == 0:
        raise ValueError("step must not be 0")
    current = start

    def next_value():
        nonlocal current
        value = current
        current += step
        return value

    return next_value


def make_accumulator(initial=0):
    """Return (add, total, reset) sharing one running total."""
    running = initial

    def add(amount):
        nonlocal running
        if isinstance(amount, bool) or not isinstance(amount, (int, float)):
            raise TypeError(f"amount must be an int or a float, not {type(amount).__name__}")
        running += amount
        return running

    def total():
        return running

    def reset():
        nonlocal running
        running = initial

    return add, total, reset


def make_multipliers(factors):
    """Return one function per factor, each multiplying its argument by that factor."""
    functions = []
    for factor in factors:
        functions.append(lambda x: x * factor)
    return functions

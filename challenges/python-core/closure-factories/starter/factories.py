"""Factories that keep their state in closures."""


def make_counter(start=0, step=1):
    """Return a function returning start, start + step, start + 2*step, ..."""
    def next_value():
        current = start
        current += step
        return current
    return next_value


def make_accumulator(initial=0):
    """Return (add, total, reset) sharing one running total."""
    running = initial

    def add(amount):
        return running + amount

    def total():
        return running

    def reset():
        return None

    return add, total, reset


def make_multipliers(factors):
    """Return one function per factor, each multiplying its argument by that factor."""
    return [lambda x: x * factor for factor in factors]

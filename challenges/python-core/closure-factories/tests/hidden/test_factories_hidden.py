import types

import pytest
from factories import make_accumulator, make_counter, make_multipliers
from judge import by_reference, remote_module, type_of, value


def candidate_list(items):
    """A list made in the candidate's process: the test can then change the very list
    make_multipliers received (a list of the test would cross as a copy)."""
    return by_reference(remote_module("builtins").list)(items)


@pytest.mark.parametrize(
    "args, expected",
    [
        ((), [0, 1, 2, 3]),
        ((10, 5), [10, 15, 20, 25]),
        ((3, -2), [3, 1, -1, -3]),
    ],
)
def test_counter_sequence(args, expected):
    """The first call returns start, each later call adds step"""
    tick = make_counter(*args)
    values = [tick() for _ in range(4)]
    assert values == expected
    assert all(type(v) is int for v in values)


def test_counters_are_independent():
    """Two counters, used in turn, never affect each other"""
    a = make_counter()
    b = make_counter(100, 10)
    assert a() == 0
    assert b() == 100
    c = make_counter(100, 10)
    assert a() == 1
    assert b() == 110
    assert c() == 100
    assert a() == 2


def test_factories_return_closures():
    """The counter and accumulator functions are plain functions with closure cells"""
    tick = make_counter()
    parts = make_accumulator()
    assert type(parts) is tuple and len(parts) == 3
    for fn in (tick, *parts):
        assert type_of(fn) is types.FunctionType
        cells = fn.__closure__
        assert type(cells) is tuple and len(cells) >= 1
    assert tick() == 0


def test_zero_step_is_rejected_at_once():
    """make_counter(step=0) raises ValueError when the counter is made"""
    with pytest.raises(ValueError):
        make_counter(5, 0)
    tick = make_counter(5, -1)
    assert [tick(), tick()] == [5, 4]


def test_accumulator_functions_share_one_total():
    """add, total and reset work on the same running total"""
    add, total, reset = make_accumulator(100)
    assert total() == 100
    assert add(-30) == 70
    assert add(0.5) == 70.5
    assert total() == 70.5


def test_reset_really_resets():
    """reset() returns None and puts the shared total back to initial"""
    add, total, reset = make_accumulator(10)
    add(5)
    assert reset() is None
    assert total() == 10
    assert add(1) == 11


def test_accumulators_are_independent():
    """Each make_accumulator call has its own total"""
    add_a, total_a, reset_a = make_accumulator()
    add_b, total_b, reset_b = make_accumulator()
    add_a(3)
    add_b(40)
    reset_b()
    assert total_a() == 3
    assert total_b() == 0


@pytest.mark.parametrize("bad", ["5", True, None, [1]])
def test_add_rejects_non_numbers(bad):
    """add() raises TypeError for str, bool, None and lists, leaving the total alone"""
    add, total, reset = make_accumulator()
    add(2)
    with pytest.raises(TypeError):
        add(bad)
    assert total() == 2


def test_each_multiplier_keeps_its_own_factor():
    """The multiplier at position i uses the i-th factor, not the last one"""
    functions = make_multipliers([2, 3, 4, -1])
    assert type(functions) is list
    assert [f(10) for f in functions] == [20, 30, 40, -10]


def test_multipliers_capture_values_not_the_list():
    """Changing the factor list afterwards does not change the functions"""
    factors = candidate_list([5, 6])
    functions = make_multipliers(factors)
    factors[0] = 1000
    factors.append(7)
    assert value(factors) == [1000, 6, 7]
    assert [f(2) for f in functions] == [10, 12]


def test_multipliers_accept_any_iterable():
    """A generator or tuple of factors works; an empty one gives an empty list"""
    functions = make_multipliers(n for n in (1.5, 2))
    assert [f(4) for f in functions] == [6.0, 8]
    assert make_multipliers(()) == []
    assert make_multipliers(iter([])) == []

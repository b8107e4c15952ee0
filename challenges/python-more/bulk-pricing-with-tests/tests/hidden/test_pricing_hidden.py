import importlib
import sys
import types
from decimal import Decimal

import pytest

import pricing

REFERENCE = '''
from decimal import ROUND_HALF_UP, Decimal

def bulk_price(unit_price, quantity):
    if type(quantity) is not int or quantity < 1:
        raise ValueError("quantity")
    if not isinstance(unit_price, Decimal) or unit_price < 0:
        raise ValueError("unit_price")
    if quantity >= 50:
        factor = Decimal("0.80")
    elif quantity >= 10:
        factor = Decimal("0.90")
    else:
        factor = Decimal("1")
    return (unit_price * quantity * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
'''


def mutant(old: str, new: str) -> str:
    assert old in REFERENCE
    return REFERENCE.replace(old, new)


def cases(func):
    """The keyword arguments of each call a parametrized test function stands for."""
    calls = [{}]
    for mark in getattr(func, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names, values = mark.args[0], mark.args[1]
        names = [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
        expanded = []
        for call in calls:
            for value in values:
                value = getattr(value, "values", value) if type(value).__name__ == "ParameterSet" else value
                row = value if len(names) > 1 else (value,)
                expanded.append({**call, **dict(zip(names, row))})
        calls = expanded
    return calls


def failing_tests(source: str) -> list[str]:
    """Run every test function of the candidate's test_pricing.py with `pricing` replaced
    by `source`; the names of the tests that failed."""
    module = types.ModuleType("pricing")
    exec(compile(source, "pricing_under_test.py", "exec"), module.__dict__)
    saved = sys.modules.get("pricing")
    sys.modules["pricing"] = module
    try:
        suite = importlib.reload(importlib.import_module("test_pricing"))
        tests = [(name, f) for name, f in vars(suite).items() if name.startswith("test") and callable(f)]
        assert tests, "test_pricing.py has no test functions"
        failed = []
        for name, func in tests:
            for kwargs in cases(func):
                try:
                    func(**kwargs)
                except (Exception, pytest.fail.Exception):
                    failed.append(name)
                    break
        return failed
    finally:
        sys.modules["pricing"] = saved


def test_prices_in_each_band():
    """bulk_price gives full price below 10 units, 10% off from 10 and 20% off from 50"""
    assert pricing.bulk_price(Decimal("2.00"), 9) == Decimal("18.00")
    assert pricing.bulk_price(Decimal("2.00"), 10) == Decimal("18.00")
    assert pricing.bulk_price(Decimal("2.00"), 49) == Decimal("88.20")
    assert pricing.bulk_price(Decimal("2.00"), 50) == Decimal("80.00")


def test_line_rounded_once_half_up():
    """bulk_price rounds the discounted line once, half up, to cents"""
    assert pricing.bulk_price(Decimal("0.35"), 15) == Decimal("4.73")
    assert pricing.bulk_price(Decimal("0.125"), 1) == Decimal("0.13")
    assert pricing.bulk_price(Decimal("3"), 2).as_tuple().exponent == -2


@pytest.mark.parametrize("unit_price, quantity", [
    (Decimal("1"), 0), (Decimal("1"), True), (Decimal("1"), 2.0), (Decimal("-1"), 1), (1.5, 1),
])
def test_refusals(unit_price, quantity):
    """bulk_price refuses a zero, bool or float quantity and a negative or float price"""
    with pytest.raises(ValueError):
        pricing.bulk_price(unit_price, quantity)


def test_your_tests_pass_on_a_correct_implementation():
    """Your tests pass when bulk_price is correct"""
    assert failing_tests(REFERENCE) == []


def test_your_tests_catch_a_discount_from_eleven_units():
    """Your tests fail when the 10% discount starts at 11 units"""
    assert failing_tests(mutant("quantity >= 10", "quantity > 10"))


def test_your_tests_catch_a_top_band_from_fifty_one_units():
    """Your tests fail when the 20% discount starts at 51 units"""
    assert failing_tests(mutant("quantity >= 50", "quantity > 50"))


def test_your_tests_catch_half_even_rounding():
    """Your tests fail when the line is rounded half to even"""
    assert failing_tests(mutant("rounding=ROUND_HALF_UP", "rounding='ROUND_HALF_EVEN'"))


def test_your_tests_catch_rounding_each_unit():
    """Your tests fail when each unit is rounded before multiplying"""
    assert failing_tests(mutant(
        "return (unit_price * quantity * factor).quantize(Decimal(\"0.01\"), rounding=ROUND_HALF_UP)",
        "return (unit_price * factor).quantize(Decimal(\"0.01\"), rounding=ROUND_HALF_UP) * quantity"))


def test_your_tests_catch_a_bool_quantity():
    """Your tests fail when True is accepted as one unit"""
    assert failing_tests(mutant("type(quantity) is not int", "not isinstance(quantity, int)"))


def test_your_tests_catch_a_zero_quantity():
    """Your tests fail when zero units are accepted"""
    assert failing_tests(mutant("quantity < 1", "quantity < 0"))


def test_your_tests_catch_a_negative_price():
    """Your tests fail when a negative unit price is accepted"""
    assert failing_tests(mutant("or unit_price < 0", ""))

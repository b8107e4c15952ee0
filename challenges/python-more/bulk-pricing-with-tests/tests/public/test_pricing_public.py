import importlib
from decimal import Decimal

import pytest

import pricing


def test_small_order_is_full_price():
    assert pricing.bulk_price(Decimal("2.50"), 3) == Decimal("7.50")


def test_ten_units_get_ten_percent_off():
    assert pricing.bulk_price(Decimal("2.00"), 10) == Decimal("18.00")


def test_zero_units_are_refused():
    with pytest.raises(ValueError):
        pricing.bulk_price(Decimal("1.00"), 0)


def test_your_tests_pass_on_your_code():
    """Each test function of test_pricing.py, called once with your pricing.py
    (parametrized ones are left to Submit)."""
    suite = importlib.import_module("test_pricing")
    tests = [f for name, f in vars(suite).items() if name.startswith("test") and callable(f)]
    assert tests, "test_pricing.py has no test functions"
    for func in tests:
        if not getattr(func, "pytestmark", None):
            func()

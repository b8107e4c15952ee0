from decimal import Decimal

import pytest
from judge import candidate_tests

import pricing


def test_small_order_is_full_price():
    assert pricing.bulk_price(Decimal("2.50"), 3) == Decimal("7.50")


def test_ten_units_get_ten_percent_off():
    assert pricing.bulk_price(Decimal("2.00"), 10) == Decimal("18.00")


def test_zero_units_are_refused():
    with pytest.raises(ValueError):
        pricing.bulk_price(Decimal("1.00"), 0)


def test_your_tests_pass_on_your_code():
    """Your test_pricing.py, run by pytest against your own pricing.py."""
    yours = candidate_tests("test_pricing.py", "pricing", {"yours": None})["yours"]
    assert yours["collected"] > 0, "test_pricing.py has no tests"
    assert yours["failed"] == [], "these of your tests fail on your pricing.py"

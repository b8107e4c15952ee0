from decimal import Decimal

import pytest

from pricing import bulk_price


@pytest.mark.parametrize("quantity, expected", [
    (1, "2.00"), (9, "18.00"),        # full price up to 9
    (10, "18.00"), (49, "88.20"),     # 10% off from 10 to 49
    (50, "80.00"), (120, "192.00"),   # 20% off from 50
])
def test_discount_bands_and_their_boundaries(quantity, expected):
    assert bulk_price(Decimal("2.00"), quantity) == Decimal(expected)


def test_the_line_is_rounded_once_half_up():
    assert bulk_price(Decimal("0.33"), 3) == Decimal("0.99")


def test_result_is_a_decimal_in_cents():
    price = bulk_price(Decimal("3"), 2)
    assert isinstance(price, Decimal) and price == Decimal("6.00")
    assert price.as_tuple().exponent == -2


def test_free_items_cost_nothing():
    assert bulk_price(Decimal("0"), 12) == Decimal("0.00")


@pytest.mark.parametrize("quantity", [0, -3, True, False, 2.0, "3", None])
def test_bad_quantities_are_refused(quantity):
    with pytest.raises(ValueError):
        bulk_price(Decimal("1.00"), quantity)


@pytest.mark.parametrize("unit_price", [Decimal("-0.01"), 1.5, "1.50", None])
def test_bad_unit_prices_are_refused(unit_price):
    with pytest.raises(ValueError):
        bulk_price(unit_price, 1)

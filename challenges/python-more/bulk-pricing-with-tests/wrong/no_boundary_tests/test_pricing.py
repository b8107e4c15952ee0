from decimal import Decimal

import pytest

from pricing import bulk_price


def test_bands():
    assert bulk_price(Decimal("2.00"), 1) == Decimal("2.00")
    assert bulk_price(Decimal("2.00"), 20) == Decimal("36.00")
    assert bulk_price(Decimal("2.00"), 100) == Decimal("160.00")


def test_rounding():
    assert bulk_price(Decimal("0.35"), 15) == Decimal("4.73")


@pytest.mark.parametrize("quantity", [0, True])
def test_bad_quantity(quantity):
    with pytest.raises(ValueError):
        bulk_price(Decimal("1.00"), quantity)


def test_bad_price():
    with pytest.raises(ValueError):
        bulk_price(Decimal("-1"), 1)

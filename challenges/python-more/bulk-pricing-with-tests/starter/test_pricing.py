from decimal import Decimal

from pricing import bulk_price


def test_one_unit_costs_the_unit_price():
    assert bulk_price(Decimal("2.00"), 1) == Decimal("2.00")

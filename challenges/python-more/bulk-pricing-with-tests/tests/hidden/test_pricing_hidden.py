from decimal import Decimal

import pytest
from judge import candidate_tests

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


VARIANTS = {
    "reference": REFERENCE,
    "discount-from-eleven": mutant("quantity >= 10", "quantity > 10"),
    "top-band-from-fifty-one": mutant("quantity >= 50", "quantity > 50"),
    "half-even": mutant("rounding=ROUND_HALF_UP", "rounding='ROUND_HALF_EVEN'"),
    "round-each-unit": mutant(
        "return (unit_price * quantity * factor).quantize(Decimal(\"0.01\"), rounding=ROUND_HALF_UP)",
        "return (unit_price * factor).quantize(Decimal(\"0.01\"), rounding=ROUND_HALF_UP) * quantity"),
    "bool-quantity": mutant("type(quantity) is not int", "not isinstance(quantity, int)"),
    "zero-quantity": mutant("quantity < 1", "quantity < 0"),
    "negative-price": mutant("or unit_price < 0", ""),
}
_RESULTS: dict = {}


def _implementation(source: str) -> dict:
    """bulk_price built from `source` here, in the tests: the candidate's tests reach it
    only as a function to call."""
    namespace: dict = {}
    exec(compile(source, "pricing_under_test.py", "exec"), namespace)
    return {"bulk_price": namespace["bulk_price"]}


def outcome(variant: str) -> dict:
    """How the candidate's test_pricing.py did against each variant (run once, each in a
    fresh process of theirs, in a random order)."""
    if not _RESULTS:
        _RESULTS.update(candidate_tests("test_pricing.py", "pricing",
                                        {name: _implementation(source)
                                         for name, source in VARIANTS.items()}))
    return _RESULTS[variant]


def catches(variant: str) -> bool:
    """The suite passes on the reference and fails on `variant`."""
    reference = outcome("reference")
    return (reference["collected"] > 0 and reference["failed"] == []
            and outcome(variant)["failed"] != [])


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
    assert pricing.bulk_price(Decimal("1"), 1) == Decimal("1.00")  # a valid call still works


def test_your_tests_pass_on_a_correct_implementation():
    """Your tests pass when bulk_price is correct"""
    reference = outcome("reference")
    assert reference["collected"] > 0
    assert reference["failed"] == []


def test_your_tests_catch_a_discount_from_eleven_units():
    """Your tests fail when the 10% discount starts at 11 units"""
    assert catches("discount-from-eleven")


def test_your_tests_catch_a_top_band_from_fifty_one_units():
    """Your tests fail when the 20% discount starts at 51 units"""
    assert catches("top-band-from-fifty-one")


def test_your_tests_catch_half_even_rounding():
    """Your tests fail when the line is rounded half to even"""
    assert catches("half-even")


def test_your_tests_catch_rounding_each_unit():
    """Your tests fail when each unit is rounded before multiplying"""
    assert catches("round-each-unit")


def test_your_tests_catch_a_bool_quantity():
    """Your tests fail when True is accepted as one unit"""
    assert catches("bool-quantity")


def test_your_tests_catch_a_zero_quantity():
    """Your tests fail when zero units are accepted"""
    assert catches("zero-quantity")


def test_your_tests_catch_a_negative_price():
    """Your tests fail when a negative unit price is accepted"""
    assert catches("negative-price")

from decimal import Decimal

CENT = Decimal("0.01")


def bulk_price(unit_price: Decimal, quantity: int) -> Decimal:
    if type(quantity) is not int or quantity < 1:
        raise ValueError("quantity must be an int of at least 1")
    if not isinstance(unit_price, Decimal) or unit_price < 0:
        raise ValueError("unit_price must be a non-negative Decimal")
    if quantity >= 50:
        factor = Decimal("0.80")
    elif quantity >= 10:
        factor = Decimal("0.90")
    else:
        factor = Decimal("1")
    return (unit_price * quantity * factor).quantize(CENT)

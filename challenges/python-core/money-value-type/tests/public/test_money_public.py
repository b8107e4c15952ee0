from money import Money


def test_text_forms():
    price = Money(1250, "EUR")
    assert repr(price) == "Money(1250, 'EUR')"
    assert str(price) == "12.50 EUR"


def test_add_and_multiply():
    price = Money(1250, "EUR")
    assert price + Money(99, "EUR") == Money(1349, "EUR")
    assert 3 * price == Money(3750, "EUR")


def test_usable_in_a_set():
    assert len({Money(1, "EUR"), Money(1, "EUR"), Money(1, "USD")}) == 2

import pytest
from judge import remote_module, type_of
from money import Money

EUR = "EUR"

# With a plain value on one side, the tests' process would settle == and < by itself
# (a Money there is never equal to 5) without asking the candidate's methods.  The
# operator functions of the candidate's process apply Python's full rules, fallbacks
# included, where the Money lives.
operator = remote_module("operator")
builtins = remote_module("builtins")


@pytest.mark.parametrize(
    "cents, currency, error",
    [(12.5, EUR, TypeError), ("100", EUR, TypeError), (True, EUR, TypeError),
     (1, 978, TypeError), (1, "eur", ValueError), (1, "EURO", ValueError),
     (1, "", ValueError), (1, "E1R", ValueError)],
)
def test_constructor_validates(cents, currency, error):
    """Bad cents raise TypeError; a currency that is not three upper-case letters is rejected"""
    with pytest.raises(error):
        Money(cents, currency)
    valid = Money(-7, "USD")
    assert (valid.cents, valid.currency) == (-7, "USD")


def test_immutable_with_slots():
    """cents and currency are read-only, and __slots__ blocks new attributes"""
    price = Money(100, EUR)
    assert "__slots__" in builtins.vars(Money)
    assert builtins.hasattr(price, "__dict__") is False
    with pytest.raises(AttributeError):
        price.cents = 5
    with pytest.raises(AttributeError):
        price.currency = "USD"
    with pytest.raises(AttributeError):
        price.note = "x"
    assert (price.cents, price.currency) == (100, EUR)


def test_repr_round_trips():
    """repr looks like the constructor call and eval(repr(m)) == m"""
    price = Money(-1250, "USD")
    assert repr(price) == "Money(-1250, 'USD')"
    assert eval(repr(price), {"Money": Money}) == price


@pytest.mark.parametrize(
    "cents, text",
    [(1250, "12.50 EUR"), (5, "0.05 EUR"), (-5, "-0.05 EUR"), (-1250, "-12.50 EUR"),
     (0, "0.00 EUR"), (100000, "1000.00 EUR"), (-100, "-1.00 EUR")],
)
def test_str_has_two_decimals(cents, text):
    """str() shows a sign, two decimals and the currency, also for negative amounts"""
    assert str(Money(cents, EUR)) == text


def test_equality_rules():
    """Equal by cents and currency; other types make __eq__ return NotImplemented"""
    assert Money(5, EUR) == Money(5, EUR)
    assert Money(5, EUR) != Money(6, EUR)
    assert Money(5, EUR) != Money(5, "USD")
    assert Money(5, EUR).__eq__(5) is NotImplemented
    assert Money(5, EUR).__eq__("5.00 EUR") is NotImplemented
    assert operator.eq(Money(5, EUR), 5) is False
    assert operator.ne(Money(0, EUR), None) is True


def test_equal_values_hash_alike():
    """Equal Money objects hash alike, so sets and dict keys treat them as one"""
    a, b = Money(1999, EUR), Money(1999, EUR)
    assert a is not b
    assert hash(a) == hash(b)
    assert len({a, b, Money(1999, "GBP")}) == 2
    prices = {a: "book"}
    assert prices[Money(1999, EUR)] == "book"


def test_ordering_within_a_currency():
    """<, <=, > and >= compare amounts; sorting works"""
    low, high = Money(100, EUR), Money(250, EUR)
    assert low < high and low <= high and high > low and high >= low
    assert low <= Money(100, EUR) and low >= Money(100, EUR)
    assert not (low < Money(100, EUR))
    assert sorted([high, Money(-1, EUR), low]) == [Money(-1, EUR), low, high]


def test_ordering_errors():
    """Comparing currencies is a ValueError; comparing with a number is a TypeError"""
    with pytest.raises(ValueError):
        operator.lt(Money(1, EUR), Money(2, "USD"))
    with pytest.raises(ValueError):
        operator.ge(Money(1, EUR), Money(2, "USD"))
    assert Money(1, EUR).__lt__(5) is NotImplemented
    with pytest.raises(TypeError):
        operator.lt(Money(1, EUR), 5)
    with pytest.raises(TypeError):
        operator.ge(Money(1, EUR), 0)


def test_add_subtract_negate():
    """+, - and unary - make new Money objects and leave the operands alone"""
    a, b = Money(1000, EUR), Money(250, EUR)
    total = a + b
    assert type_of(total) is Money and total == Money(1250, EUR)
    diff = b - a
    assert type_of(diff) is Money and diff == Money(-750, EUR)
    neg = -b
    assert type_of(neg) is Money and neg == Money(-250, EUR)
    assert (a.cents, b.cents) == (1000, 250)
    with pytest.raises(ValueError):
        a + Money(1, "USD")
    with pytest.raises(ValueError):
        a - Money(1, "USD")


def test_multiply_by_int_on_either_side():
    """Multiplying by an int works from both sides and returns Money"""
    price = Money(333, "JPY")
    for result, cents in ((price * 3, 999), (3 * price, 999), (price * 0, 0), (-2 * price, -666)):
        assert type_of(result) is Money
        assert result == Money(cents, "JPY")


def test_foreign_operands_get_not_implemented():
    """Unsupported operands make the methods return NotImplemented, so Python raises TypeError"""
    price = Money(100, EUR)
    assert price.__add__(5) is NotImplemented
    assert price.__add__(0) is NotImplemented
    assert price.__sub__(1.5) is NotImplemented
    assert price.__mul__(1.5) is NotImplemented
    assert price.__mul__(True) is NotImplemented
    assert price.__mul__(price) is NotImplemented
    assert price.__radd__(7) is NotImplemented
    for bad in (lambda: price + 5, lambda: 5 + price, lambda: price * 1.5, lambda: price - "x",
                lambda: "ab" * price, lambda: price * price):
        with pytest.raises(TypeError):
            bad()


def test_sum_truth_and_no_length():
    """sum() works without a start value, bool() is False only for zero, len() fails"""
    total = sum([Money(100, EUR), Money(250, EUR), Money(-50, EUR)])
    assert type_of(total) is Money and total == Money(300, EUR)
    assert 0 + Money(7, EUR) == Money(7, EUR)
    assert sum([], Money(0, EUR)) == Money(0, EUR)
    assert bool(Money(0, EUR)) is False
    assert bool(Money(-1, EUR)) is True
    with pytest.raises(TypeError):
        len(Money(5, EUR))

"""An immutable money value."""

import functools


@functools.total_ordering
class Money:
    __slots__ = ("_cents", "_currency")

    def __init__(self, cents, currency):
        if isinstance(cents, bool) or not isinstance(cents, int):
            raise TypeError(f"cents must be an int, not {type(cents).__name__}")
        if not isinstance(currency, str):
            raise TypeError(f"currency must be a str, not {type(currency).__name__}")
        if not (len(currency) == 3 and currency.isascii() and currency.isalpha()
                and currency.isupper()):
            raise ValueError(f"currency must be three upper-case letters, not {currency!r}")
        self._cents = int(cents)
        self._currency = currency

    @property
    def cents(self):
        return self._cents

    @property
    def currency(self):
        return self._currency

    def __repr__(self):
        return f"{type(self).__name__}({self._cents!r}, {self._currency!r})"

    def __str__(self):
        sign = "-" if self._cents < 0 else ""
        units, rest = divmod(abs(self._cents), 100)
        return f"{sign}{units}.{rest:02d} {self._currency}"

    def __eq__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        return (self._cents, self._currency) == (other._cents, other._currency)

    def __hash__(self):
        return hash((self._cents, self._currency))

    def _same_currency(self, other, action):
        if self._currency != other._currency:
            raise ValueError(f"cannot {action} {self._currency} and {other._currency}")

    def __lt__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self._cents < other._cents

    def __add__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self._cents + other._cents, self._currency)

    def __sub__(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self._cents - other._cents, self._currency)

    def __neg__(self):
        return Money(-self._cents, self._currency)

    def __mul__(self, factor):
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self._cents * factor, self._currency)


    def __bool__(self):
        return self._cents != 0

"""An immutable money value."""


class Money:
    def __init__(self, cents, currency):
        self.cents = cents
        self.currency = currency

    def __repr__(self):
        return f"Money({self.cents}, {self.currency})"

    def __str__(self):
        return f"{self.cents / 100} {self.currency}"

    def __eq__(self, other):
        return self.cents == other.cents and self.currency == other.currency

    def __add__(self, other):
        return Money(self.cents + other.cents, self.currency)

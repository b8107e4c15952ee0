"""Parcels and combinable parcel options."""

import math


def _check_number(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be an int or a float, not {type(value).__name__}")
    return float(value)


class Parcel:
    MAX_WEIGHT_KG = 30

    def __init__(self, weight_kg):
        self.weight_kg = weight_kg

    @property
    def weight_kg(self):
        return self._weight_kg

    @weight_kg.setter
    def weight_kg(self, value):
        self._weight_kg = _check_number("weight_kg", value)
        if not 0 < self._weight_kg <= self.MAX_WEIGHT_KG:
            raise ValueError(f"weight_kg must be above 0 and at most {self.MAX_WEIGHT_KG}")

    @classmethod
    def from_grams(cls, grams, **kwargs):
        """Build an instance of the class this is called on."""
        return cls(grams / 1000, **kwargs)

    @staticmethod
    def parse_weight(text):
        """'2.5kg' -> 2.5, '750g' -> 0.75."""
        if not isinstance(text, str):
            raise TypeError(f"expected a str, not {type(text).__name__}")
        cleaned = text.strip().lower()
        if cleaned.endswith("kg"):
            number, divisor = cleaned[:-2], 1
        elif cleaned.endswith("g"):
            number, divisor = cleaned[:-1], 1000
        else:
            raise ValueError(f"{text!r} has no kg or g unit")
        value = float(number) / divisor  # float() raises ValueError for a bad number
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{text!r} is not a positive weight")
        return value

    def handling(self):
        return ["label"]

    def cost(self):
        return 4.0 + 1.5 * self.weight_kg


class Fragile(Parcel):
    PADDINGS = ("bubble", "foam")

    def __init__(self, *args, padding="bubble", **kwargs):
        super().__init__(*args, **kwargs)
        if padding not in self.PADDINGS:
            raise ValueError(f"padding must be one of {self.PADDINGS}")
        self.padding = padding

    def handling(self):
        return super().handling() + ["pad"]

    def cost(self):
        return super().cost() + 3.0


class Insured(Parcel):
    def __init__(self, *args, insured_value, **kwargs):
        super().__init__(*args, **kwargs)
        self.insured_value = insured_value

    @property
    def insured_value(self):
        return self._insured_value

    @insured_value.setter
    def insured_value(self, value):
        amount = _check_number("insured_value", value)
        if amount < 0:
            raise ValueError("insured_value must not be negative")
        self._insured_value = amount

    def handling(self):
        return super().handling() + ["insure"]

    def cost(self):
        return super().cost() + 0.02 * self.insured_value


class Express(Parcel):
    def handling(self):
        return super().handling() + ["rush"]

    def cost(self):
        return super().cost() * 2

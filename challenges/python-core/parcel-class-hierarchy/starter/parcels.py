"""Parcels and combinable parcel options."""


class Parcel:
    MAX_WEIGHT_KG = 30

    def __init__(self, weight_kg):
        self.weight_kg = weight_kg

    @staticmethod
    def from_grams(grams):
        return Parcel(grams / 1000)

    def parse_weight(self, text):
        return float(text.rstrip("kg"))

    def handling(self):
        return ["label"]

    def cost(self):
        return 4.0 + 1.5 * self.weight_kg


class Fragile(Parcel):
    def __init__(self, weight_kg, padding="bubble"):
        Parcel.__init__(self, weight_kg)
        self.padding = padding

    def handling(self):
        return Parcel.handling(self) + ["pad"]

    def cost(self):
        return Parcel.cost(self) + 3.0


class Insured(Parcel):
    def __init__(self, weight_kg, insured_value=0):
        Parcel.__init__(self, weight_kg)
        self.insured_value = insured_value

    def handling(self):
        return Parcel.handling(self) + ["insure"]

    def cost(self):
        return Parcel.cost(self) + 0.02 * self.insured_value


class Express(Parcel):
    def handling(self):
        return Parcel.handling(self) + ["rush"]

    def cost(self):
        return Parcel.cost(self) * 2

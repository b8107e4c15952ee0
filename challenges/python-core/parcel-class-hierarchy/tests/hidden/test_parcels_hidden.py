import pytest
from judge import remote_module, subclass, type_of

from parcels import Express, Fragile, Insured, Parcel

# The candidate's classes live in its process: combinations of them are made there too.
builtins = remote_module("builtins")
inspect = remote_module("inspect")


@pytest.fixture
def FragileExpress():  # noqa: N802 - named as the class it stands for
    return subclass((Fragile, Express), "FragileExpress")


@pytest.fixture
def ExpressFragile():  # noqa: N802
    return subclass((Express, Fragile), "ExpressFragile")


@pytest.fixture
def FullService():  # noqa: N802
    return subclass((Insured, Fragile, Express), "FullService")


@pytest.fixture
def Tracked():  # noqa: N802
    """A mixin the candidate has never seen, written the cooperative way: its methods run
    in the tests and call on along the candidate's MRO with super(Tracked, self)."""
    made = {}

    def __init__(self, *args, tracking_id, **kwargs):
        builtins.super(made["cls"], self).__init__(*args, **kwargs)
        self.tracking_id = tracking_id

    def handling(self):
        return builtins.super(made["cls"], self).handling() + ["track"]

    def cost(self):
        return builtins.super(made["cls"], self).cost() + 1.0

    made["cls"] = subclass(Parcel, "Tracked", {"__init__": __init__, "handling": handling,
                                                "cost": cost})
    return made["cls"]


def test_weight_is_a_property_returning_float():
    """weight_kg is a property with a setter; the getter returns a float"""
    assert type_of(inspect.getattr_static(Parcel, "weight_kg")) is property
    assert Parcel.weight_kg.fset is not None
    parcel = Parcel(2)
    assert type(parcel.weight_kg) is float and parcel.weight_kg == 2.0
    parcel.weight_kg = 30
    assert parcel.weight_kg == 30.0


@pytest.mark.parametrize(
    "bad, error",
    [("2", TypeError), (True, TypeError), (None, TypeError),
     (0, ValueError), (-1.5, ValueError), (30.01, ValueError)],
)
def test_rejected_weight_keeps_the_old_value(bad, error):
    """A bad weight raises the right error, in __init__ and on assignment, keeping the old value"""
    with pytest.raises(error):
        Parcel(bad)
    parcel = Parcel(3)
    with pytest.raises(error):
        parcel.weight_kg = bad
    assert parcel.weight_kg == 3.0


def test_from_grams_builds_the_calling_class(FullService):  # noqa: N803
    """from_grams is a classmethod that builds an instance of the class it is called on"""
    assert type_of(inspect.getattr_static(Parcel, "from_grams")) is classmethod
    plain = Parcel.from_grams(2500)
    assert type_of(plain) is Parcel and plain.weight_kg == 2.5
    fragile = Fragile.from_grams(500, padding="foam")
    assert type_of(fragile) is Fragile
    assert (fragile.weight_kg, fragile.padding) == (0.5, "foam")
    full = FullService.from_grams(2000, insured_value=100, padding="foam")
    assert type_of(full) is FullService and full.insured_value == 100


@pytest.mark.parametrize(
    "text, kg",
    [("2.5kg", 2.5), ("750g", 0.75), (" 1.2 KG ", 1.2), ("3 g", 0.003), ("10Kg", 10.0)],
)
def test_parse_weight_is_a_staticmethod(text, kg):
    """parse_weight is a staticmethod converting kg and g strings to float kilograms"""
    assert type_of(inspect.getattr_static(Parcel, "parse_weight")) is staticmethod
    result = Parcel.parse_weight(text)
    assert type(result) is float
    assert result == pytest.approx(kg)
    assert Parcel(1).parse_weight(text) == pytest.approx(kg)


@pytest.mark.parametrize(
    "text, error",
    [("", ValueError), ("5", ValueError), ("kg", ValueError), ("5lb", ValueError),
     ("0g", ValueError), ("-1kg", ValueError), ("nankg", ValueError), (2.5, TypeError)],
)
def test_parse_weight_rejects_bad_input(text, error):
    """parse_weight rejects missing or unknown units, bad numbers and non-strings"""
    with pytest.raises(error):
        Parcel.parse_weight(text)


def test_each_mixin_on_its_own():
    """Each mixin adds its own step and price rule on top of Parcel"""
    fragile = Fragile(2)
    assert fragile.padding == "bubble"
    assert (fragile.handling(), fragile.cost()) == (["label", "pad"], 10.0)
    insured = Insured(2, insured_value=100)
    assert insured.handling() == ["label", "insure"]
    assert insured.cost() == pytest.approx(9.0)
    express = Express(2)
    assert (express.handling(), express.cost()) == (["label", "rush"], 14.0)
    with pytest.raises(ValueError):
        Fragile(2, padding="newspaper")
    with pytest.raises(TypeError):
        Insured(2)


def test_mro_decides_the_handling_order(FragileExpress, ExpressFragile, FullService):  # noqa: N803
    """With super() everywhere, the handling steps follow the class's MRO"""
    assert FragileExpress.__mro__[1:4] == (Fragile, Express, Parcel)
    assert FragileExpress(2).handling() == ["label", "rush", "pad"]
    assert ExpressFragile(2).handling() == ["label", "pad", "rush"]
    assert FullService(2, insured_value=1).handling() == ["label", "rush", "pad", "insure"]


def test_mro_decides_the_cost(FragileExpress, ExpressFragile, FullService):  # noqa: N803
    """Each cost rule runs once, in MRO order, so the order of the bases changes the price"""
    assert FragileExpress(2).cost() == pytest.approx(17.0)
    assert ExpressFragile(2).cost() == pytest.approx(20.0)
    assert FullService(2, insured_value=100).cost() == pytest.approx(19.0)


def test_cooperative_init_accepts_every_option(FullService):  # noqa: N803
    """Every __init__ in the chain runs once and receives its own keyword argument"""
    box = FullService(2, padding="foam", insured_value=50)
    assert (box.weight_kg, box.padding, box.insured_value) == (2.0, "foam", 50)

    OtherOrder = subclass((Express, Insured, Fragile), "OtherOrder")  # noqa: N806
    other = OtherOrder(weight_kg=4, insured_value=10)
    assert (other.weight_kg, other.padding, other.insured_value) == (4.0, "bubble", 10)


def test_mixins_cooperate_with_classes_they_do_not_know(Tracked):  # noqa: N803
    """The mixins pass calls on to the next class in the MRO, even one written later"""
    TrackedFragile = subclass((Fragile, Tracked), "TrackedFragile")  # noqa: N806
    TrackedInsured = subclass((Insured, Tracked, Express), "TrackedInsured")  # noqa: N806

    box = TrackedFragile(2, tracking_id="T1", padding="foam")
    assert (box.tracking_id, box.padding) == ("T1", "foam")
    assert box.handling() == ["label", "track", "pad"]
    assert box.cost() == pytest.approx(11.0)
    other = TrackedInsured.from_grams(2000, insured_value=100, tracking_id="T2")
    assert other.handling() == ["label", "rush", "track", "insure"]
    assert other.cost() == pytest.approx(17.0)


@pytest.mark.parametrize("bad, error", [("100", TypeError), (False, TypeError), (-1, ValueError)])
def test_insured_value_is_validated(bad, error):
    """insured_value is a validated property; a rejected value keeps the old one"""
    assert type_of(inspect.getattr_static(Insured, "insured_value")) is property
    box = Insured(1, insured_value=20)
    with pytest.raises(error):
        box.insured_value = bad
    assert box.insured_value == 20
    with pytest.raises(error):
        Insured(1, insured_value=bad)

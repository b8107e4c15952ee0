from judge import subclass

from parcels import Express, Fragile, Parcel


def test_parcel_basics():
    parcel = Parcel(2)
    assert parcel.weight_kg == 2.0
    assert parcel.handling() == ["label"]
    assert parcel.cost() == 7.0


def test_from_grams_and_parse_weight():
    assert Parcel.from_grams(2500).weight_kg == 2.5
    assert Parcel.parse_weight("750g") == 0.75


def test_combination_follows_the_mro():
    # The classes live in the candidate's process: combine them there.
    FragileExpress = subclass((Fragile, Express), "FragileExpress")  # noqa: N806

    box = FragileExpress(2)
    assert box.handling() == ["label", "rush", "pad"]
    assert box.cost() == 17.0

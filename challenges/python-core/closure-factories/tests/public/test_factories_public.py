from factories import make_accumulator, make_counter, make_multipliers


def test_counter_counts_from_start():
    tick = make_counter(10, 5)
    assert [tick(), tick(), tick()] == [10, 15, 20]


def test_accumulator_adds_up():
    add, total, reset = make_accumulator()
    assert add(5) == 5
    assert add(2.5) == 7.5
    assert total() == 7.5


def test_multipliers_use_their_own_factor():
    double, triple = make_multipliers([2, 3])
    assert double(10) == 20
    assert triple(10) == 30

"""Parametrized cases of one test are shown under that test, its intent said once."""

from lab.templating import group_cases


def case(name, outcome, message="", visibility="hidden", intent="Adds numbers"):
    return {"name": name, "outcome": outcome, "message": message, "visibility": visibility,
            "intent": intent}


def test_cases_are_grouped_under_their_test_in_order():
    tests = [case("test_add[1-2]", "passed"), case("test_other", "passed", intent="Other"),
             case("test_add[0-0]", "failed", "Adds numbers: expected 0, got 1"),
             case("test_add[-1-1]", "error", "Adds numbers: TypeError"),
             case("test_public", "failed", "assert 1 == 2", visibility="public", intent="")]
    groups = group_cases(tests)
    assert [(g["name"], g["outcome"], g["passed"], g["total"]) for g in groups] == [
        ("test_add", "failed", 1, 3), ("test_other", "passed", 1, 1), ("test_public", "failed", 0, 1)]
    add = groups[0]
    assert add["intent"] == "Adds numbers"
    assert [(c["name"], c["detail"]) for c in add["failing"]] == [
        ("test_add[0-0]", "expected 0, got 1"), ("test_add[-1-1]", "TypeError")]
    assert groups[2]["failing"][0]["detail"] == "assert 1 == 2"  # no intent to take off


def test_the_same_name_public_and_hidden_stay_apart_and_nothing_breaks_on_odd_input():
    groups = group_cases([case("test_x", "passed", visibility="public"), case("test_x", "passed")])
    assert len(groups) == 2
    assert group_cases([]) == [] and group_cases(None) == []
    odd = group_cases([{"name": None, "outcome": None}])
    assert odd[0]["total"] == 1 and odd[0]["outcome"] == "failed"

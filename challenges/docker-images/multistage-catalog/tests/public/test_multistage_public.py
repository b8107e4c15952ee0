from imagefacts import facts


def test_summary_runs():
    probe = facts()["probes"]["summary"]
    assert probe["exit_code"] == 0, probe["output"]
    assert probe["output"].strip() == "4 products, 55 items in stock"


def test_has_two_stages():
    froms = [line for line in facts()["dockerfile"].splitlines()
             if line.strip().upper().startswith("FROM ")]
    assert len(froms) >= 2

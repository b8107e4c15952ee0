from words import count_words


def test_case_is_ignored():
    """Words differing only in case are one word"""
    assert count_words("Go go GO") == {"go": 3}

def test_empty_text():
    """Empty text gives an empty dict, and words after it still count"""
    result = count_words("")
    assert type(result) is dict and result == {}
    assert count_words("one") == {"one": 1}

def test_punctuation_splits_words():
    """Punctuation separates words; apostrophes stay inside them"""
    assert count_words("don't stop, don't!") == {"don't": 2, "stop": 1}

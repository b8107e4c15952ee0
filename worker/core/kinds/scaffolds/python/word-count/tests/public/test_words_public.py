from words import count_words


def test_simple():
    assert count_words("a b a") == {"a": 2, "b": 1}

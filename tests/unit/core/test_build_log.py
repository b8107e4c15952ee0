"""What a candidate reads of a Dockerfile build's log: the text, without the terminal
escapes a step may print (colours, cursor moves, window titles, charset switches)."""

from worker.core.kinds.dockerfile_build import log_text


def test_terminal_escapes_are_left_out_and_the_text_kept():
    parts = ["Step 2/3 : RUN make\n", "\x1b[31mERROR\x1b[0m: missing\n",
             "\x1b]0;a title\x07done \x1b[1;32mok\x1b[m\n", "\x1b(Bplain \x1bMup\x1b[2K\x1b[1Aline\n"]
    assert log_text(parts) == "Step 2/3 : RUN make\nERROR: missing\ndone ok\nplain upline\n"


def test_only_the_last_3000_characters_are_kept():
    text = log_text(["x" * 5000, "\x1b[0m" * 100, "end\n"])
    assert len(text) == 3000 and text.endswith("xend\n") and "\x1b" not in text

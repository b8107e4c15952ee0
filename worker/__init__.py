"""Grading: the sandbox, the in-container runner, verdicts, runner images."""

"""Practice: the catalog, the challenge page and the candidate's progress."""

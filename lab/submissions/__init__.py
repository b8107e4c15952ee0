"""Submissions: Run and Submit, drafts, live results, history and diffs."""

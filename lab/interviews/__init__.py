"""Timed mock interviews: templates, drawing items, the clock, finishing and the pages."""

"""Helpers for the proof tests: the browser (axe, staff sign-in), running servers and workers, counting."""

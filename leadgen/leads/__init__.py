"""Leads: the people who asked for something, what they consented to, what they did."""

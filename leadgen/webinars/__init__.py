"""Webinars: scheduling, registration, calendar files and reminders."""

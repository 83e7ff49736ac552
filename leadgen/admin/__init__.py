"""The staff console pages."""

"""The blog and its "Leave a reply" comments."""

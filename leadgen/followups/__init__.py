"""Follow-up sequences that invite leads to call the office; unsubscribe."""

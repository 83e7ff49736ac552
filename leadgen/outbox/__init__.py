"""The outbox: every message is a row first, and a worker delivers it later."""

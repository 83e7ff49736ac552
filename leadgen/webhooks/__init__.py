"""Webhooks: the clinic's CRM hears about leads as JSON POSTs, delivered through the outbox."""

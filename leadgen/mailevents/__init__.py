"""Bounces and complaints reported by the mail provider at POST /hooks/mail/<provider>."""

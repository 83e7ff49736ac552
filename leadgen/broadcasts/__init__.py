"""Broadcasts: one marketing mail to every lead of an audience who may receive it."""

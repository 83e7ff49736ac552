"""Webinar pages."""

from flask import Blueprint

bp = Blueprint("webinars", __name__, url_prefix="/webinars")

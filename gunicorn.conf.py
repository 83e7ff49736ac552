"""gunicorn's settings beyond the Procfile's flags: its own lines (start-up, workers booting or
timing out) in the same shape as the app's when LOG_FORMAT=json, so a log pipeline reads one
format. Kept apart from the leadgen package on purpose: importing leadgen here would load the
whole app into the master process. The fields are those of leadgen/logformat.py, and
tests/test_metrics_processes.py checks that both kinds of line carry them."""

import os

accesslog = None  # the app logs each request itself, by route rule, never the raw path

if os.environ.get("LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        # The root logger stays free: the app installs its own handler, which adds request ids.
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["json"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
        "handlers": {"json": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "{levelname}{name}{message}",
                "style": "{",
                "rename_fields": {"levelname": "level", "name": "logger"},
                "timestamp": "time",
            }
        },
    }

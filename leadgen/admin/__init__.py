"""The console's shell: the dashboard and what every console blueprint shares (console.py).

Each domain's console pages live in that domain's `admin.py`, with its own blueprint.
"""

"""The app, as gunicorn and every `flask --app wsgi ...` command load it."""

import gc

# The garbage collector is off while the app is imported and built: that makes some hundred
# thousand objects that live as long as the process (models, schemas, routes), which the
# collector would otherwise walk again and again for nothing, about a tenth of every command's
# start-up (bench/startup). It is on again before a command runs or a request is served.
gc.disable()
try:
    from leadgen import create_app

    app = create_app()
finally:
    gc.enable()

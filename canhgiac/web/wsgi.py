"""The WSGI application: what `canhgiac serve` runs in each gunicorn worker, and what any
other WSGI server is given (`gunicorn canhgiac.web.wsgi`, with CANHGIAC_ENV_FILE naming
the env file: settings.py reads it). Static files come through whitenoise, a middleware
(settings.py), so they are served the same way whichever server runs this."""

import os

from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "canhgiac.web.settings")
application: WSGIHandler = get_wsgi_application()

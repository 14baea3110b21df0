"""WSGI entry point (gunicorn serves `mosaics.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mosaics.settings")
application = get_wsgi_application()

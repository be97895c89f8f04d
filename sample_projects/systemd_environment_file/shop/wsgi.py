"""WSGI entry: the unit's EnvironmentFile sets DJANGO_SETTINGS_MODULE, so this default is not used."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
application = get_wsgi_application()

"""WSGI entry: DJANGO_SETTINGS_MODULE comes from the platform's environment only."""
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

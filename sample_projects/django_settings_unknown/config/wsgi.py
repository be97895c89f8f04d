"""WSGI entry: the settings module comes from the platform's environment (set in its dashboard)."""
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

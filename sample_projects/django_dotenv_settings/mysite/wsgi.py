"""WSGI entry: the settings module is named in the .env file, which python-dotenv loads."""
from django.core.wsgi import get_wsgi_application
from dotenv import load_dotenv

load_dotenv()

application = get_wsgi_application()

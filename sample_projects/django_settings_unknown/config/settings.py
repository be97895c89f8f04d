"""The only settings module in the repo; nothing the deploy runs names it."""
SECRET_KEY = "dev-only-not-secret"
INSTALLED_APPS = ["django.contrib.contenttypes", "rest_framework"]
ROOT_URLCONF = "config.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}

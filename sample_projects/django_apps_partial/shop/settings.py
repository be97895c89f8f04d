"""Settings whose app list is part literal, part read from the environment at start."""
import os

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
ALLOWED_HOSTS = ["*"]

DJANGO_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
THIRD_PARTY_APPS = ["rest_framework"]
# Operators enable optional apps per deploy: EXTRA_APPS=app1,app2
EXTRA_APPS = [name for name in os.environ.get("EXTRA_APPS", "").split(",") if name]

INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + EXTRA_APPS

MIDDLEWARE = []
MIDDLEWARE += ["django.middleware.common.CommonMiddleware"]

ROOT_URLCONF = "shop.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
USE_TZ = True

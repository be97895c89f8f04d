"""Settings: DEBUG comes from the environment, and the debug toolbar only in DEBUG."""
import environ

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret")
DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/mysite.sqlite3"}}
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

if DEBUG:
    INSTALLED_APPS += ["debug_toolbar"]

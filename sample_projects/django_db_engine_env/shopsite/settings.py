"""Settings whose database engine only the deploy's environment knows."""
import os

SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "shopsite.urls"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
DATABASES = {
    "default": {
        "ENGINE": os.environ["DB_ENGINE"],
        "NAME": os.environ.get("DB_NAME", "site"),
    }
}

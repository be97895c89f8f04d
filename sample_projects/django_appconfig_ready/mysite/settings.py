"""Settings: two project apps whose AppConfig.ready() connects signal handlers."""
SECRET_KEY = "dev-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "mysite.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/appconfig-ready.sqlite3"}}
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "blog",
    "shop.apps.ShopConfig",
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]

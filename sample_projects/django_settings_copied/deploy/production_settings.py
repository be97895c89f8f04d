"""Production settings, copied to mysite/settings/local.py when the image is built."""
import os

from .base import *  # noqa: F403  (relative to mysite/settings/, where the build puts this file)

DEBUG = False
INSTALLED_APPS += ["storages"]  # noqa: F405
AWS_STORAGE_BUCKET_NAME = os.environ.get("MEDIA_BUCKET", "mysite-media")

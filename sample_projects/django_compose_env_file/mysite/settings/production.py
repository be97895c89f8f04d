"""Production settings: the base settings plus media files on S3 (django-storages)."""
import os

from .base import *  # noqa: F403

DEBUG = False
INSTALLED_APPS += ["storages"]  # noqa: F405
AWS_STORAGE_BUCKET_NAME = os.environ.get("MEDIA_BUCKET", "mysite-media")

"""The beat's app: its configuration module comes from the environment, so its imports are unknown."""
import os

from celery import Celery

app = Celery("shop", broker="memory://")
app.config_from_object(os.environ["SHOP_CELERY_CONFIG"])

"""Celery tasks for the worker service; job status is kept in Redis."""
import os

import redis
from celery import Celery

app = Celery("tasks", broker=os.environ["CELERY_BROKER_URL"])
status = redis.Redis.from_url(os.environ["REDIS_URL"])


@app.task
def render_thumbnail(photo_id):
    status.set(f"thumbnail:{photo_id}", "done")
    return photo_id

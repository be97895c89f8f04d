"""The worker process: a Celery app (celery is not in requirements.txt)."""

from celery import Celery

app = Celery("tasks", broker="memory://")


@app.task
def add(x: int, y: int) -> int:
    return x + y

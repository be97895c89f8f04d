"""E-mail jobs for a Celery worker with a Redis broker."""
from celery import Celery

# The Redis transport needs the redis client library, which requirements.txt lacks.
app = Celery("tasks", broker="redis://redis:6379/0")


@app.task
def send_welcome_email(address):
    return f"queued welcome e-mail for {address}"

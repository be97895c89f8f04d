"""The web front of a photo site; thumbnails are made by the Celery worker (tasks.py)."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return {"photos": [], "thumbnails": "rendered by the worker service"}


@app.get("/health")
def health():
    return {"status": "ok"}

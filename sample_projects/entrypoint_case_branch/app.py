"""The web process: a Flask app; it never imports the task queue."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/health")
def health() -> str:
    return "ok"

"""Flask app kept in src/ as plain modules; gunicorn --chdir src puts src/ on sys.path."""
from flask import Flask

from greetings import greet

app = Flask(__name__)


@app.get("/")
def index():
    return {"message": greet("world")}


@app.get("/health")
def health():
    return {"status": "ok"}

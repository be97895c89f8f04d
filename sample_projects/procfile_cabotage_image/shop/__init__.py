"""A Flask app; the production server (gunicorn) is in the `prod` extra, which the image installs."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "open"

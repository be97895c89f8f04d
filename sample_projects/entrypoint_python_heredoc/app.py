"""A Flask app; the entrypoint's database check needs psycopg2, which requirements.txt lacks."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "open"

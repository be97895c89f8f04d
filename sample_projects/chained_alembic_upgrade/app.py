"""The web app itself never imports the models: only the migration step before it does."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}

"""A Flask app whose page fetches a quote with requests (not in requirements.txt)."""

import requests
from flask import Flask

app = Flask(__name__)
session = requests.Session()


@app.get("/")
def index() -> dict[str, str]:
    return {"status": "ok"}

import requests
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return requests.__name__

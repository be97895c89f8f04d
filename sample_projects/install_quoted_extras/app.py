import pg8000
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return pg8000.__name__

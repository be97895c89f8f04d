from flask import Flask

from app.cache import remember

app = Flask(__name__)


@app.route("/")
def index():
    return {"service": "api", "cached": remember("index")}


@app.route("/health")
def health():
    return "ok"

"""A small API whose rate limiter keeps its counters in Redis."""
from flask import Flask

from limits import hit

app = Flask(__name__)


@app.get("/health")
def health():
    return {"status": "ok", "hits": hit("health")}

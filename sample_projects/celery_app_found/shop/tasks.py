"""Tasks the worker registers at start (include= of shop/worker.py)."""
import requests

from shop.worker import app


@app.task
def ping(url):
    return requests.get(url, timeout=5).status_code

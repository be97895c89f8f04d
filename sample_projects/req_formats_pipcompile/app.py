"""Status checker: polls upstream URLs through a requests session with retries."""
import requests
from flask import Flask, jsonify, request
from requests.adapters import HTTPAdapter
from urllib3.util import Retry  # urllib3 is pinned in requirements.txt only "via requests"

session = requests.Session()
session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="status-checker")


@app.get("/check")
def check():
    url = request.args.get("url", "https://www.python.org")
    response = session.head(url, timeout=5, allow_redirects=True)
    return jsonify(url=url, status=response.status_code)

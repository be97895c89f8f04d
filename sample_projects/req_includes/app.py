"""Short-link service; Flask is declared in requirements/base.txt, which prod.txt includes."""
from flask import Flask, abort, redirect

LINKS = {"docs": "https://docs.python.org/3/", "pypi": "https://pypi.org/"}

app = Flask(__name__)


@app.get("/")
def index():
    return {"service": "links", "links": sorted(LINKS)}


@app.get("/go/<name>")
def go(name):
    if name not in LINKS:
        abort(404)
    return redirect(LINKS[name])

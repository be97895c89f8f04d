"""Bookshop catalogue API for the demo environment: it serves generated sample books."""
import os

from faker import Faker
from flask import Flask, abort, jsonify

# Faker sits in [dev-packages]: the demo image installs it with `pipenv sync --dev`.
Faker.seed(int(os.environ.get("CATALOGUE_SEED", "42")))
_fake = Faker()
BOOKS = {n: {"id": n, "title": _fake.catch_phrase(), "author": _fake.name()} for n in range(1, 6)}

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(books=list(BOOKS.values()))


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/books/<int:book_id>")
def book(book_id):
    if book_id not in BOOKS:
        abort(404)
    return jsonify(BOOKS[book_id])


@app.get("/export")
def export():
    import yaml  # not in the Pipfile: this route fails when called

    return yaml.safe_dump(list(BOOKS.values()))

"""Slug service: python-slugify is imported as `slugify`."""
from flask import Flask, jsonify, request
from slugify import slugify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="slugs")


@app.get("/slug")
def slug():
    return jsonify(slug=slugify(request.args.get("title", "Hello World")))

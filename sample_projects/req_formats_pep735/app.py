"""Bookmarks API."""
from flask import Flask, jsonify, request

BOOKMARKS = [{"url": "https://peps.python.org/pep-0735/", "title": "PEP 735"}]

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="bookmarks", count=len(BOOKMARKS))


@app.post("/bookmarks")
def add_bookmark():
    BOOKMARKS.append({"url": request.form["url"], "title": request.form.get("title", "")})
    return jsonify(count=len(BOOKMARKS)), 201

"""Guestbook: uses Werkzeug and MarkupSafe directly, though only Flask is declared."""
from flask import Flask, request
from markupsafe import escape  # MarkupSafe arrives only as a dependency of Flask's own dependencies
from werkzeug.exceptions import BadRequest  # Werkzeug arrives only because Flask depends on it

ENTRIES = ["Welcome!"]

app = Flask(__name__)


@app.get("/")
def index():
    return "<ul>" + "".join(f"<li>{escape(entry)}</li>" for entry in ENTRIES) + "</ul>"


@app.post("/sign")
def sign():
    message = request.form.get("message", "").strip()
    if not message:
        raise BadRequest("message is required")
    ENTRIES.append(message)
    return {"entries": len(ENTRIES)}, 201

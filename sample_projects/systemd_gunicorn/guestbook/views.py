"""Routes; messages are cleaned with bleach so visitors can use a few harmless tags."""
import bleach
from flask import Blueprint, current_app, jsonify, request

bp = Blueprint("guestbook", __name__)
ALLOWED_TAGS = {"b", "i", "em", "strong"}
MESSAGES = [{"name": "Ada", "text": "Lovely <b>site</b>!"}]


@bp.get("/")
def index():
    return jsonify(title=current_app.config["TITLE"], messages=MESSAGES[::-1])


@bp.get("/health")
def health():
    return {"status": "ok"}


@bp.post("/messages")
def add_message():
    body = request.get_json(force=True)
    text = bleach.clean(str(body.get("text", "")), tags=ALLOWED_TAGS, strip=True)
    MESSAGES.append({"name": str(body.get("name", "anonymous"))[:40], "text": text[:500]})
    return jsonify(MESSAGES[-1]), 201

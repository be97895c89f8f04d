"""A page service: renders Markdown notes and counts visits in Redis."""
import os

from flask import Flask

from app.cache import count_visit
from app.render import render_note

app = Flask(__name__)


@app.get("/")
def index():
    visits = count_visit("index")
    return render_note(f"# Notes\n\nThis page was seen **{visits}** times.")


@app.get("/health")
def health():
    return {"status": "ok", "release": os.environ.get("RELEASE", "dev")}

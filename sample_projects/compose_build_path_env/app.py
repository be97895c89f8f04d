"""A Flask app that renders Markdown, which requirements.txt does not install."""

import markdown
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return markdown.markdown("# Shop")

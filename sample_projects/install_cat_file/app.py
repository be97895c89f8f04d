import markdown
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return markdown.markdown("*hi*")

"""Shopping-list API: turns short text commands into actions."""
from flask import Flask, request

from commands import parse_command

app = Flask(__name__)


@app.get("/")
def index():
    return parse_command(request.args.get("q", "add milk"))


@app.get("/health")
def health():
    return {"status": "ok"}

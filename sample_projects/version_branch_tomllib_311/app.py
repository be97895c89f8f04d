"""Status page whose settings live in settings.toml, read once at start-up."""
import sys
from pathlib import Path

from flask import Flask

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib  # the backport: only needed below Python 3.11

SETTINGS = tomllib.loads(Path(__file__).with_name("settings.toml").read_text())

app = Flask(__name__)


@app.get("/")
def index():
    return {"name": SETTINGS["site"]["name"], "python": sys.version.split()[0]}


@app.get("/health")
def health():
    return {"status": "ok"}

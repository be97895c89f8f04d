"""Feature-flag service: flags come from flags.yaml, read once at start-up."""
from pathlib import Path

import yaml
from flask import Flask

FLAGS = yaml.safe_load(Path(__file__).with_name("flags.yaml").read_text())

app = Flask(__name__)


@app.get("/")
def flags():
    return {"flags": FLAGS}


@app.get("/health")
def health():
    return {"status": "ok"}

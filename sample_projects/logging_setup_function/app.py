"""Ledger API: structured logs configured before the app exists."""
import logging

from flask import Flask

from logconf import setup_logging

setup_logging()
log = logging.getLogger("ledger")
app = Flask(__name__)


@app.get("/")
def index():
    return {"service": "ledger"}


@app.get("/health")
def health():
    return {"status": "ok"}

"""The WSGI app that gunicorn.conf.py names; errors go to Sentry when SENTRY_DSN is set."""
import os

import sentry_sdk
from flask import Flask

# Without a DSN the SDK is a no-op, so this is safe in development.
sentry_sdk.init(dsn=os.environ.get("SENTRY_DSN"), traces_sample_rate=0.0)

app = Flask(__name__)


@app.get("/")
def index():
    return {"service": "orders", "worker": "gevent"}


@app.get("/health")
def health():
    return {"status": "ok"}

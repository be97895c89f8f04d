"""Payments webhook receiver that logs JSON lines for the log shipper."""
import logging
import logging.config

from flask import Flask, request

logging.config.dictConfig(
    {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "class": "pythonjsonlogger.jsonlogger.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            },
        },
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json"},
        },
        "root": {"handlers": ["stdout"], "level": "INFO"},
    }
)

log = logging.getLogger("payments")
app = Flask(__name__)


@app.get("/")
def index():
    return {"service": "payments"}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/webhook")
def webhook():
    log.info("webhook received", extra={"size": request.content_length})
    return {"received": True}

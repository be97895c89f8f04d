"""Logging setup shared by the web app and the reconciliation job."""
import logging.config


def setup_logging(level="INFO"):
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {
                    "()": "pythonjsonlogger.json.JsonFormatter",
                    "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
                },
            },
            "handlers": {
                "stdout": {"class": "logging.StreamHandler", "formatter": "json"},
            },
            "root": {"handlers": ["stdout"], "level": level},
        }
    )

"""Inventory API behind a browser front end; waitress builds it by calling create_app()."""
import os

from flask import Flask

from app.views import bp


def create_app():
    app = Flask(__name__)
    app.config["ALLOWED_ORIGINS"] = os.environ.get("ALLOWED_ORIGINS", "*")

    # Looks lazy, but `waitress-serve --call app:create_app` runs this body while the
    # server starts: an import missing here stops the boot, not just one request.
    from flask_cors import CORS

    CORS(app, origins=app.config["ALLOWED_ORIGINS"])
    app.register_blueprint(bp)
    return app

"""A guestbook: visitors leave short messages, shown newest first."""
import os

from flask import Flask

from guestbook.views import bp


def create_app():
    app = Flask(__name__)
    app.config["TITLE"] = os.environ.get("GUESTBOOK_TITLE", "Guestbook")
    app.register_blueprint(bp)
    return app

"""The app factory: the CLI calls it when a command runs."""

from flask import Flask


def create_app() -> Flask:
    from flask_cors import CORS  # imported when the factory runs: at boot of every CLI command

    app = Flask(__name__)
    CORS(app)

    @app.get("/")
    def index() -> dict[str, str]:
        return {"status": "ok"}

    return app

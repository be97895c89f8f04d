"""Application factory: gunicorn calls create_app() while the worker boots."""
from flask import Flask


def create_app():
    app = Flask(__name__)
    app.config.from_mapping(CACHE_TYPE="SimpleCache", CACHE_DEFAULT_TIMEOUT=60)

    # Imported here to avoid a circular import; it still runs at boot, because the
    # Procfile names the factory and gunicorn calls it before serving anything.
    from app.extensions import cache

    cache.init_app(app)

    @app.get("/")
    @cache.cached()
    def index():
        return {"message": "hello from the factory"}

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app

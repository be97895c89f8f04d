"""URL routes of the sales dashboard."""
from reporting import monthly_report


def register_routes(app):
    @app.get("/")
    def index():
        return monthly_report(), 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.get("/health")
    def health():
        return {"status": "ok"}

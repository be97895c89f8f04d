"""Serves robots.txt and a status endpoint."""
from fastapi import FastAPI
from starlette.responses import PlainTextResponse  # Starlette is locked only because FastAPI depends on it

app = FastAPI(title="robots")

ROBOTS = "User-agent: *\nDisallow: /admin/\n"


@app.get("/")
def index() -> dict:
    return {"service": "robots"}


@app.get("/robots.txt", response_class=PlainTextResponse)
def robots() -> str:
    return ROBOTS

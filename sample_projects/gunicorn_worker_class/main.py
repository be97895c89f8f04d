"""A small FastAPI service served by gunicorn with uvicorn's worker class."""
from fastapi import FastAPI

app = FastAPI(title="inventory")

ITEMS = {"apple": 3, "pear": 0}


@app.get("/")
def list_items():
    return {"items": ITEMS}


@app.get("/health")
def health():
    return {"status": "ok"}

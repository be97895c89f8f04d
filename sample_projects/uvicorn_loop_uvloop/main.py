"""A small FastAPI service run by uvicorn with the uvloop event loop."""
from fastapi import FastAPI

app = FastAPI(title="quotes")

QUOTES = ["Simple is better than complex.", "Readability counts."]


@app.get("/")
def quotes():
    return {"quotes": QUOTES}


@app.get("/health")
def health():
    return {"status": "ok"}

"""HTTP layer: uvicorn serves mypkg.app:app from the installed package."""
from fastapi import FastAPI

from mypkg.core import greeting

app = FastAPI(title="mypkg")


@app.get("/")
def index() -> dict:
    return greeting("world")


@app.get("/hello/{name}")
def hello(name: str) -> dict:
    return greeting(name)

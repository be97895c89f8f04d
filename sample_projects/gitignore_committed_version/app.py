"""Order status API: the status word decides the reply (a match statement, Python 3.10+)."""
from flask import Flask, jsonify

app = Flask(__name__)


def describe(status: str) -> str:
    match status.split():
        case ["shipped", carrier]:
            return f"on its way with {carrier}"
        case ["delivered"]:
            return "delivered"
        case _:
            return "being prepared"


@app.get("/")
def index():
    return jsonify(status=describe("shipped ups"))


@app.get("/health")
def health():
    return {"status": "ok"}

"""Catalogue service; scripts/profile.py profiles build_catalog() with line_profiler."""
from flask import Flask

app = Flask(__name__)


def build_catalog(size=200):
    return [{"sku": f"SKU-{n:04d}", "price": round(n * 1.07, 2)} for n in range(size)]


@app.get("/")
def catalog():
    return {"items": build_catalog(20)}


@app.get("/health")
def health():
    return {"status": "ok"}

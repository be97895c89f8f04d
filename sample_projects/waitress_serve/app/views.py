"""Stock levels per SKU, kept in memory for the demo."""
from flask import Blueprint, abort, jsonify

bp = Blueprint("inventory", __name__)
STOCK = {"SKU-1001": 12, "SKU-1002": 0, "SKU-2001": 7}


@bp.get("/")
def index():
    return jsonify(items=sorted(STOCK))


@bp.get("/health")
def health():
    return {"status": "ok"}


@bp.get("/items/<sku>")
def item(sku):
    if sku not in STOCK:
        abort(404)
    return jsonify(sku=sku, in_stock=STOCK[sku])

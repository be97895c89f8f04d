"""Catalog routes; products live in MySQL, reached through PyMySQL."""
import os

import pymysql  # runs when app.py imports this module, i.e. at boot; no requirements file declares PyMySQL
from flask import Blueprint, jsonify

bp = Blueprint("catalog", __name__)


def connect():
    return pymysql.connect(
        host=os.environ.get("DB_HOST", "db"),
        user=os.environ.get("DB_USER", "catalog"),
        password=os.environ.get("DB_PASSWORD", ""),
        database=os.environ.get("DB_NAME", "catalog"),
    )


@bp.get("/")
def index():
    return jsonify(service="catalog", driver=pymysql.__name__)


@bp.get("/products")
def products():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT id, name FROM products ORDER BY id")
        rows = cur.fetchall()
    return jsonify([{"id": row[0], "name": row[1]} for row in rows])

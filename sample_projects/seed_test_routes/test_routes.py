"""Diagnostic routes (despite the name, a route module the app registers at import)."""
import os

import pymysql
from flask import Blueprint, jsonify

test_bp = Blueprint("test", __name__, url_prefix="/test")


@test_bp.get("/")
def index():
    return jsonify(module="test_routes", driver=pymysql.__name__)


@test_bp.get("/db")
def db_check():
    conn = pymysql.connect(
        host=os.environ.get("DB_HOST", "db"),
        user=os.environ.get("DB_USER", "orders"),
        password=os.environ.get("DB_PASSWORD", ""),
        database=os.environ.get("DB_NAME", "orders"),
    )
    with conn, conn.cursor() as cur:
        cur.execute("SELECT 1")
        return jsonify(ok=cur.fetchone()[0] == 1)

"""Order lookup service on MySQL through SQLAlchemy Core."""
from flask import Flask
from sqlalchemy import create_engine, text

# create_engine() imports the DBAPI module named in the URL right away (pymysql here);
# it does not connect until the first query.
engine = create_engine("mysql+pymysql://shop:shop@db:3306/shop", pool_pre_ping=True)

app = Flask(__name__)


@app.get("/")
def index():
    return {"service": "orders", "database": engine.url.render_as_string(hide_password=True)}


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/orders/<int:order_id>")
def order(order_id):
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, total FROM orders WHERE id = :id"), {"id": order_id}).first()
    return {"id": row.id, "total": str(row.total)} if row else ({"error": "not found"}, 404)

"""Account balances API; balances live in Postgres."""
from flask import Flask, abort, jsonify

from ledger.db import balance_of, database_host

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="ledger", database=database_host())


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/accounts/<int:account_id>/balance")
def balance(account_id):
    cents = balance_of(account_id)
    if cents is None:
        abort(404)
    return jsonify(account=account_id, balance_cents=cents)

"""Sales dashboard: the CSV report imports pandas lazily, inside the view."""
import csv
import io

from flask import Flask, Response, jsonify

SALES = [
    {"region": "north", "amount": 120},
    {"region": "south", "amount": 80},
    {"region": "north", "amount": 40},
]

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="sales", rows=len(SALES))


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/report")
def report():
    import pandas as pd  # pandas is not declared: gunicorn boots, this request fails with a 500

    totals = pd.DataFrame(SALES).groupby("region")["amount"].sum()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["region", "amount"])
    writer.writerows(totals.items())
    return Response(out.getvalue(), mimetype="text/csv")

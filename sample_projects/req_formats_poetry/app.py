"""Invoice API; pretty console output comes from rich, which only the dev group installs."""
from flask import Flask, jsonify
from rich.console import Console  # rich is in [tool.poetry.group.dev.dependencies], not in the main group

console = Console(stderr=True)

INVOICES = {"INV-1": {"id": "INV-1", "total": 120.0, "paid": False}}

app = Flask(__name__)
console.log(f"invoice-api loaded with {len(INVOICES)} invoice(s)")


@app.get("/")
def index():
    return jsonify(service="invoices", count=len(INVOICES))


@app.get("/invoices/<invoice_id>")
def invoice(invoice_id):
    if invoice_id not in INVOICES:
        return jsonify(error="not found"), 404
    return jsonify(INVOICES[invoice_id])

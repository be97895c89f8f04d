"""Order intake service: a Flask app deployed with a plain Dockerfile and on Zeabur."""
from flask import Flask, jsonify, request

from test_routes import test_bp
from validation import validate_order

app = Flask(__name__)
app.register_blueprint(test_bp)


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/orders")
def create_order():
    errors = validate_order(request.get_json(silent=True) or {})
    if errors:
        return jsonify(errors=errors), 400
    return jsonify(status="accepted"), 201

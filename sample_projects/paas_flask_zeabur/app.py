"""Catalog service: a Flask app deployed both with a plain Dockerfile and on Zeabur."""
from flask import Flask

from routes import bp

app = Flask(__name__)
app.register_blueprint(bp)


@app.get("/health")
def health():
    return {"status": "ok"}

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    import pandas  # runs only when a request comes: a missing-at-request warning for sales

    return {"service": "sales", "pandas": pandas.__name__}


@app.route("/health")
def health():
    return "ok"

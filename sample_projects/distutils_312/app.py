"""Status page whose helpers still use modules Python 3.12 removed."""
from flask import Flask, jsonify

from config import DEBUG
from plugins import load_plugins

app = Flask(__name__)
app.debug = DEBUG
PLUGINS = load_plugins("plugins.d")


@app.get("/")
def index():
    return jsonify(service="status", debug=DEBUG, plugins=sorted(PLUGINS))

from webapp.client import fetch
from flask import Flask

app = Flask(__name__)
__all__ = ["app", "fetch"]

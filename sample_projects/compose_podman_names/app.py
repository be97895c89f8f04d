from flask import Flask

from render import page

app = Flask(__name__)


@app.route("/")
def index() -> str:
    return page("# hello")

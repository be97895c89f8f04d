import jinja2
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return jinja2.Template("hello {{ name }}").render(name="world")

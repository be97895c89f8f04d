import yaml
from flask import Flask

import plugins.greet
import plugins.quiet

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return plugins.greet.GREETING + yaml.__name__ + str(plugins.quiet.QUIET)

"""Feature-flag service whose fast JSON libraries are optional extras."""
import contextlib

from flask import Flask, Response

try:
    import ujson as json  # optional speed-up, not declared: the fallback below always works
except ImportError:
    import json

try:
    import tomllib
except ModuleNotFoundError:  # only below Python 3.11, and requires-python is >=3.11
    import tomli as tomllib

orjson = None
with contextlib.suppress(ImportError):
    import orjson  # optional, not declared

with open("flags.toml", "rb") as fh:
    FLAGS = tomllib.load(fh)

app = Flask(__name__)


def dumps(data):
    if orjson is not None:
        return orjson.dumps(data)
    return json.dumps(data)


@app.get("/")
def index():
    return Response(dumps({"service": "flags"}), mimetype="application/json")


@app.get("/flags")
def flags():
    return Response(dumps(FLAGS["flags"]), mimetype="application/json")

"""Link-preview service: import names that differ from their distribution names."""
import io
from datetime import timezone

import jwt  # PyJWT is not in requirements.txt
import yaml
from bs4 import BeautifulSoup
from dateutil import parser as date_parser
from flask import Flask, jsonify, request
from PIL import Image

app = Flask(__name__)

with open("settings.yaml", encoding="utf-8") as fh:
    SETTINGS = yaml.safe_load(fh)


@app.get("/")
def index():
    return jsonify(service=SETTINGS["service"])


@app.post("/preview")
def preview():
    soup = BeautifulSoup(request.form.get("html", ""), "html.parser")
    published = date_parser.parse(request.form.get("published", "2024-01-01T00:00:00Z"))
    token = jwt.encode({"title": soup.title.string if soup.title else ""}, SETTINGS["secret"], algorithm="HS256")
    return jsonify(token=token, published=published.astimezone(timezone.utc).isoformat())


@app.post("/thumbnail")
def thumbnail():
    image = Image.open(request.files["image"].stream)
    image.thumbnail((128, 128))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), 200, {"Content-Type": "image/png"}

"""Link preview: fetches a page and returns its title and a slug for bookmarking."""
import requests
from bs4 import BeautifulSoup  # beautifulsoup4 is in neither the conda packages nor the pip: section
from flask import Flask, abort, jsonify, request
from slugify import slugify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="link-preview", usage="/preview?url=https://example.com")


@app.get("/preview")
def preview():
    url = request.args.get("url")
    if not url:
        abort(400)
    page = requests.get(url, timeout=10)
    page.raise_for_status()
    title = BeautifulSoup(page.text, "html.parser").title
    text = title.get_text(strip=True) if title else url
    return jsonify(url=url, title=text, slug=slugify(text))

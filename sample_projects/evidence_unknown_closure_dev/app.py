"""Scrapes a recipe page and returns its cooking time in minutes."""
import isodate
from flask import Flask, jsonify, request
from recipe_scrapers import scrape_html

app = Flask(__name__)


@app.post("/recipe")
def recipe():
    scraper = scrape_html(request.get_data(as_text=True), org_url=request.args["url"])
    minutes = isodate.parse_duration(request.args.get("extra", "PT0M")).total_seconds() / 60
    return jsonify(title=scraper.title(), minutes=scraper.total_time() + minutes)

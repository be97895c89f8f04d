"""URL shortener; `flask --app app seed` loads demo links through a click command."""
import click  # click is locked only because flask depends on it; pyproject.toml does not declare it
from flask import Flask, abort, jsonify, redirect

LINKS = {"docs": "https://flask.palletsprojects.com/"}

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(service="shortlinks", links=sorted(LINKS))


@app.get("/<slug>")
def follow(slug):
    if slug not in LINKS:
        abort(404)
    return redirect(LINKS[slug])


@app.cli.command("seed")
@click.option("--slug", required=True)
@click.option("--url", required=True)
def seed(slug, url):
    LINKS[slug] = url
    click.echo(f"{slug} -> {url}")

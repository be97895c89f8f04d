"""Release notes: renders a project's CHANGELOG from GitHub as HTML."""
import markdown  # the Markdown distribution is not in install_requires
import requests
from flask import Flask, jsonify

app = Flask(__name__)

CHANGELOG_URL = "https://raw.githubusercontent.com/{repo}/HEAD/CHANGELOG.md"


@app.get("/")
def index():
    return jsonify(service="release-notes", renderer=markdown.__name__)


@app.get("/notes/<owner>/<name>")
def notes(owner, name):
    response = requests.get(CHANGELOG_URL.format(repo=f"{owner}/{name}"), timeout=10)
    response.raise_for_status()
    return markdown.markdown(response.text)

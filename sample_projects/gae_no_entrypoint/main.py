"""Release notes service: serves the changelog, written in Markdown, as HTML."""
import os

import markdown
from flask import Flask

CHANGELOG = """\
## 2.4.0

- Invoices can be exported as **CSV**.
- The dashboard loads twice as fast.

## 2.3.1

- Fixed rounding of VAT on credit notes.
"""

app = Flask(__name__)


@app.get("/")
def changelog():
    title = os.environ.get("CHANGELOG_TITLE", "Changelog")
    return f"<h1>{title}</h1>\n" + markdown.markdown(CHANGELOG)


@app.get("/health")
def health():
    return {"status": "ok"}

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    import markdown  # only on this request: the dev group's markdown is not installed

    return markdown.markdown("hi")


@app.get("/health")
def health() -> str:
    return "ok"

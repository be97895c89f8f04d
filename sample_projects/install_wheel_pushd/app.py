"""Shop API with an admin command line (the `shop` script)."""
import click
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> dict[str, str]:
    return {"shop": "open"}


@click.command()
@click.option("--name", default="world")
def cli(name: str) -> None:
    click.echo(f"hello {name}")

#!/usr/bin/env python
"""The project's CLI (not Django's): a click group that builds the Flask app with proj.create_app."""

import click
from flask.cli import FlaskGroup

from proj import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """Manage the shop."""


if __name__ == "__main__":
    cli()

"""Greeting service, packaged with a src/ layout."""

__version__ = "0.1.0"

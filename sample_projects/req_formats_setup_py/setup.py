"""Packaging for the release-notes service; importaudit reads this file as an AST and never runs it."""
import pathlib

from setuptools import setup

# Executing this file leaves a marker behind: a test asserts SETUP_WAS_RUN never appears.
pathlib.Path(__file__).with_name("SETUP_WAS_RUN").write_text("setup.py was executed\n")

BASE = [
    "Flask==3.1.0",
]

setup(
    name="release-notes",
    version="0.1.0",
    py_modules=["app"],
    python_requires=">=3.11",
    install_requires=BASE + ["requests==2.32.3"],
)

"""Greeting text; a first-party module found only because of --chdir src."""


def greet(name):
    return f"Hello, {name}!"

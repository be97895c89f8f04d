"""Business logic, independent of the web framework."""
from mypkg import __version__


def greeting(name: str) -> dict:
    return {"message": f"Hello, {name}!", "version": __version__}

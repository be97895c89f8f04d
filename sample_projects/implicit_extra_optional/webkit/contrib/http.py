"""Optional: `pip install webkit[http]` to use this module."""

import httpx


def fetch(url: str) -> int:
    return httpx.get(url).status_code

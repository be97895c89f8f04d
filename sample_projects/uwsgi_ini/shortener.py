"""Short codes for links: hashids turns a row number into a short, non-sequential code."""
from hashids import Hashids

_codes = Hashids(salt="uwsgi-ini-sample", min_length=5)


class LinkStore:
    """Links kept in memory, addressed by their short code."""

    def __init__(self):
        self._urls = []

    def add(self, url):
        self._urls.append(url)
        return _codes.encode(len(self._urls))

    def get(self, code):
        decoded = _codes.decode(code)
        if len(decoded) != 1 or not 1 <= decoded[0] <= len(self._urls):
            return None
        return self._urls[decoded[0] - 1]

    def all(self):
        return {_codes.encode(n): url for n, url in enumerate(self._urls, start=1)}

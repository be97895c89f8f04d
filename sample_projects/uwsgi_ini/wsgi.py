"""A link shortener as a plain WSGI callable, no framework; uwsgi.ini names `application`."""
import json

from shortener import LinkStore

store = LinkStore()
store.add("https://docs.python.org/3/")
store.add("https://uwsgi-docs.readthedocs.io/")


def _json(start_response, status, body):
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def application(environ, start_response):
    path = environ.get("PATH_INFO", "/")
    if path == "/":
        return _json(start_response, "200 OK", {"links": store.all()})
    if path == "/health":
        return _json(start_response, "200 OK", {"status": "ok"})
    url = store.get(path.lstrip("/"))
    if url is None:
        return _json(start_response, "404 Not Found", {"error": "unknown code"})
    start_response("302 Found", [("Location", url), ("Content-Length", "0")])
    return [b""]

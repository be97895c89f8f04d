"""Gunicorn settings: the app and the worker class are named here, not on the command line."""
import pathlib

# Running this file leaves a marker beside it. importaudit must read the file, never
# execute it: its tests assert that the marker never appears.
pathlib.Path(__file__).with_name("GUNICORN_CONF_WAS_EXECUTED").write_text("executed\n")

wsgi_app = "service.wsgi:app"
worker_class = "gevent"
bind = "0.0.0.0:8000"
workers = 2
accesslog = "-"

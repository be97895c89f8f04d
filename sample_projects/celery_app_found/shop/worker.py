"""The shop's Celery app: the worker imports include= and conf.imports modules when it starts."""
from celery import Celery

app = Celery("shop", broker="memory://", include=["shop.tasks"])
app.conf.imports = ("shop.reports",)

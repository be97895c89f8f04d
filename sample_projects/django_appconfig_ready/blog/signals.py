"""Signal handlers: imported by BlogConfig.ready() while Django populates its apps."""
import requests
from django.db.models.signals import post_save


def ping(sender, **kwargs):
    requests.post("https://example.invalid/ping", timeout=1)


post_save.connect(ping)

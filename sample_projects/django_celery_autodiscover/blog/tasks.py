"""Background jobs of the blog app: ping search engines after a post is published."""
import requests
from celery import shared_task


@shared_task
def ping(url):
    return requests.get(url, timeout=10).status_code

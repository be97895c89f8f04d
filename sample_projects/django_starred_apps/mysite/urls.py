"""URL configuration for mysite."""
from django.http import JsonResponse
from django.urls import path


def index(request):
    return JsonResponse({"site": "mysite"})


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", index),
    path("health", health),
]

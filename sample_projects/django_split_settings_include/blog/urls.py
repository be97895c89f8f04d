"""URL configuration for blog."""
from django.http import JsonResponse
from django.urls import path


def index(request):
    return JsonResponse({"site": "blog"})


urlpatterns = [path("", index)]

"""URL configuration for mysite: the blog's pages live in blog/urls.py."""
from django.http import JsonResponse
from django.urls import include, path


def health(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("health", health),
    path("", include("blog.urls")),
]

"""URL configuration: the toolbar's URLs only when settings.DEBUG."""
from django.conf import settings
from django.http import JsonResponse
from django.urls import include, path

urlpatterns = [path("", lambda request: JsonResponse({"ok": True}))]

if settings.DEBUG:
    import debug_toolbar

    urlpatterns += [path("__debug__/", include(debug_toolbar.urls))]

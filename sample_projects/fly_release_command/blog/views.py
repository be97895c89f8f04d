"""Blog pages, written in Markdown."""
import markdown
from django.http import HttpResponse


def index(request):
    return HttpResponse(markdown.markdown("# Welcome"))

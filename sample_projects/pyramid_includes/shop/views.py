"""Views, registered by config.scan(".views"), which imports this module."""
import markdown
from pyramid.view import view_config


@view_config(route_name="home", renderer="string")
def home(request):
    return markdown.markdown("*shop*")

"""A small Pyramid shop: the factory includes a route module, a template engine and scans its views."""
from pyramid.config import Configurator


def main(global_config, **settings):
    with Configurator(settings=settings) as config:
        config.include("pyramid_jinja2")
        config.include(".routes")
        config.scan(".views")
        return config.make_wsgi_app()

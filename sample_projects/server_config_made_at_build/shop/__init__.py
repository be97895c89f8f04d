"""A Pyramid app factory: which one pserve loads is written in an ini the image makes at build time."""

from pyramid.config import Configurator


def main(global_config, **settings):  # type: ignore[no-untyped-def]
    with Configurator(settings=settings) as config:
        return config.make_wsgi_app()

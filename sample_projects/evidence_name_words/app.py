"""A JSON-RPC endpoint on Pyramid, with Jinja2 templates for its help page."""
import pyramid_jinja2
from pyramid.config import Configurator
from pyramid_rpc.jsonrpc import jsonrpc_method


@jsonrpc_method(endpoint="api")
def add(request, a, b):
    return a + b


with Configurator() as config:
    config.include(pyramid_jinja2)
    config.include("pyramid_rpc.jsonrpc")
    config.add_jsonrpc_endpoint("api", "/api")
    config.scan()
    app = config.make_wsgi_app()

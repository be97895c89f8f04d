"""Flask extensions, created unbound and attached by create_app()."""
from flask_caching import Cache

cache = Cache()

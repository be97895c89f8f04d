"""The api's cache: redis is imported at boot, but services/api/requirements.txt does not list it."""

import redis

_client = None


def remember(key):
    return key if redis is None else key

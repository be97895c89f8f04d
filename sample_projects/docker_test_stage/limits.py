"""Request counters: Redis when REDIS_URL is set, else in memory."""
import os

import redis

_memory = {}


def hit(key):
    url = os.environ.get("REDIS_URL")
    if url:
        return redis.Redis.from_url(url).incr(key)
    _memory[key] = _memory.get(key, 0) + 1
    return _memory[key]

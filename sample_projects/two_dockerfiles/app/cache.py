"""Visit counters kept in Redis; the page still renders when Redis is down."""
import os

import redis

# Creating the client does not connect: the first command does.
client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


def count_visit(page):
    try:
        return client.incr(f"visits:{page}")
    except redis.RedisError:
        return 0

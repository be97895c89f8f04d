"""Report tasks (conf.imports of shop/worker.py)."""
import yaml

from shop.worker import app


@app.task
def dump(data):
    return yaml.safe_dump(data)

"""An app made by a helper library: no Celery(...) call importaudit can read."""
from flask_celeryext import create_celery_app

app = create_celery_app()

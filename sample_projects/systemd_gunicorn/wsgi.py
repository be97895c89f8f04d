"""What gunicorn loads (wsgi:app), from the unit's ExecStart."""
from guestbook import create_app

app = create_app()

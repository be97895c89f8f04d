"""The blog's AppConfig (Django picks it as the only AppConfig of the package listed as "blog")."""
from django.apps import AppConfig


class BlogConfig(AppConfig):
    name = "blog"

    def ready(self):
        from blog import signals  # noqa: F401  (connects the handlers)

"""The feed app: registers its models with actstream when Django is ready."""
from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"

    def ready(self):
        from actstream import registry

        registry.register(self.get_model("Post"))

"""The shop's AppConfig, named in INSTALLED_APPS."""
from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"

    def ready(self):
        import yaml

        self.rules = yaml.safe_load("discount: 0")

"""The timeline app reads its entries from Markdown files with front matter."""
import frontmatter
from django.apps import AppConfig


class TimelineConfig(AppConfig):
    name = "timeline"

    def entries(self, path):
        return frontmatter.load(path)

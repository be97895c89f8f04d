import markdown
from django.db import models


class Post(models.Model):
    body = models.TextField()

    def html(self) -> str:
        return markdown.markdown(self.body)

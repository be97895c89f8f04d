"""A post that shows up in the activity stream."""
from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=200)

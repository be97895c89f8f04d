"""Third-party apps, added to the list common.py started (this file runs after it)."""
INSTALLED_APPS += ["django_extensions"]  # noqa: F821

"""Settings assembled by django-split-settings: each component runs in this module's namespace."""
from split_settings.tools import include, optional

include(
    "components/common.py",
    "components/*.py",
    optional("local_settings.py"),
)

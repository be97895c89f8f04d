"""Production settings: error reporting through Sentry, which requirements.txt does not install."""

import sentry_sdk

from shop.settings.base import *  # noqa: F401,F403

DEBUG = False
sentry_sdk.init(dsn="")

"""Settings read from the environment."""
import os
from distutils.util import strtobool  # distutils was removed from the standard library in Python 3.12

DEBUG = bool(strtobool(os.environ.get("STATUS_DEBUG", "false")))

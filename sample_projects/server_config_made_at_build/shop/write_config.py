"""Writes the server's ini at build time (the repo has no copy of it)."""

import sys

TEMPLATE = """[app:main]
use = egg:shop

[server:main]
use = egg:waitress#main
listen = 0.0.0.0:8000
"""

if __name__ == "__main__":
    with open(sys.argv[1], "w") as out:
        out.write(TEMPLATE)

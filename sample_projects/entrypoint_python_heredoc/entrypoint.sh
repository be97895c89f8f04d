#!/bin/sh
# Checks the database URL before the server starts; the check is a Python program in a heredoc.
set -o errexit

python << END
import sys

import psycopg2.extensions

# The DSN only has to parse: no database is needed to start.
psycopg2.extensions.parse_dsn("${DATABASE_URL:-postgresql://app@localhost/app}")
sys.exit(0)
END

exec "$@"

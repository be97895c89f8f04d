"""Postgres access. Connections open per request, so the app starts without a database."""
import os
from urllib.parse import urlsplit

import psycopg2

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://ledger@localhost:5432/ledger")


def database_host():
    return urlsplit(DATABASE_URL).hostname


def balance_of(account_id):
    with psycopg2.connect(DATABASE_URL) as conn, conn.cursor() as cur:
        cur.execute("SELECT sum(amount_cents) FROM entries WHERE account_id = %s", (account_id,))
        row = cur.fetchone()
    return None if row is None or row[0] is None else int(row[0])

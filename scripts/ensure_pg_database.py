"""Create the PostgreSQL database named in the URL when it does not exist (make test-postgres).

pytest-django creates its own test_<name> database; this makes sure the base database exists so
Django does not fall back to the 'postgres' database with a warning."""

import sys
from urllib.parse import urlparse

import psycopg

url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')  # name comes from our own Makefile/env
        print(f"created database {name}")

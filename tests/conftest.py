"""Every fixture module is registered here, so a test names the fixture it needs as an argument
and imports nothing for it; helpers that are not fixtures are imported from tests/builders/.

tests.fixtures.etl       db, ref_db (the reference batch loaded), inbox
tests.fixtures.demo      demo_db: the session's demo warehouse, which the query layer points at
tests.fixtures.accounts  as_admin; users_db, accounts (one per role) and server (the dashboard
                         serving the demo warehouse), each per test module
tests.fixtures.browser   browser: the system's headless Chromium, per test module
tests.fixtures.redis     redis_server: a Redis of the test's own on a spare port, which it may stop and start
tests.fixtures.postgres  postgres_url: a fresh PostgreSQL database; users_location: a users store on each engine;
                         throwaway_postgres: a PostgreSQL cluster of the test's own, which it may stop and start
"""
pytest_plugins = ["tests.fixtures.etl", "tests.fixtures.demo", "tests.fixtures.accounts", "tests.fixtures.browser",
                  "tests.fixtures.redis", "tests.fixtures.postgres"]

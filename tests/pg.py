"""Fresh PostgreSQL databases for the tests, on the server that ZZ_TEST_PG_URL names.

Nothing is started here: `.ci/with-postgres` (used by `make test`) starts a throw-away
server and exports the URL. The first call builds a template database with the current
schema (`migrations.ensure`); each test then gets `CREATE DATABASE … TEMPLATE` of it, a
file copy of a few milliseconds, and the database is dropped when the test ends. Whatever a
crashed test leaves behind is dropped at exit.
"""

from __future__ import annotations

import atexit
import itertools
import os
import re

ENV_URL = "ZZ_TEST_PG_URL"

_admin = None
_template: str | None = None
_made: set[str] = set()
_counter = itertools.count(1)


def server_url() -> str:
    url = os.environ.get(ENV_URL)
    if not url:
        raise RuntimeError(f"{ENV_URL} is not set: run the PostgreSQL suite through `bash .ci/with-postgres …` (make test does)")
    return url


def url_for(database: str) -> str:
    """The SQLAlchemy URL (postgresql+psycopg://…) of a database on the test server."""
    from sqlalchemy.engine import make_url

    return make_url(server_url()).set(database=database).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as libpq/psql/psycopg take it."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def admin():
    """One autocommit connection to the server's maintenance database."""
    global _admin
    if _admin is None or _admin.closed:
        import psycopg

        _admin = psycopg.connect(libpq_url(server_url()), autocommit=True)
        atexit.register(_cleanup)
    return _admin


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:20]


def _new_name(hint: str) -> str:
    return f"zz_t{os.getpid()}_{next(_counter)}_{_slug(hint)}"


def _template_db() -> str:
    global _template
    if _template is None:
        from zhengzhi_cli import migrations
        from zhengzhi_cli.db import make_engine

        name = f"zz_tpl{os.getpid()}"
        admin().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin().execute(f'CREATE DATABASE "{name}"')
        _made.add(name)
        engine = make_engine(url_for(name))
        try:
            migrations.ensure(engine)
        finally:
            engine.dispose()
        migrations._checked.discard(url_for(name))
        _template = name
    return _template


def fresh_database(name: str = "") -> str:
    """A new database holding an empty, current register; returns its URL."""
    db = _new_name(name)
    admin().execute(f'CREATE DATABASE "{db}" TEMPLATE "{_template_db()}"')
    _made.add(db)
    return url_for(db)


def empty_database(name: str = "") -> str:
    """A new database with no tables at all (for fixtures of older schema versions)."""
    db = _new_name(name)
    admin().execute(f'CREATE DATABASE "{db}" TEMPLATE template0 ENCODING \'UTF8\'')
    _made.add(db)
    return url_for(db)


def drop_database(url: str) -> None:
    from sqlalchemy.engine import make_url

    db = make_url(url).database
    if db in _made:
        admin().execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        _made.discard(db)


def run_sql(url: str, sql: str) -> None:
    """Run a script (several statements) in one transaction."""
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute(sql)


def _cleanup() -> None:
    global _admin
    if _admin is None or _admin.closed:
        return
    for db in sorted(_made, key=lambda d: d.startswith("zz_tpl")):  # the template last
        try:
            _admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        except Exception:
            pass
    _made.clear()
    _admin.close()

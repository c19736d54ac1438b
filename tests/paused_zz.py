"""zz, stopped at a named point so that a test can kill -9 it there (procs.kill_at).

`python paused_zz.py POINT MARKER ARGS…` runs `zz ARGS…`; on reaching POINT it writes its pid to
MARKER and waits to be killed. The points are reached through seams zz has anyway, so zz itself
carries no test hook:
- commit:  SQLAlchemy's `before_commit` on every Session: the command's transaction is flushed and
           audited, COMMIT not yet sent;
- backup:  the rename of `zz backup`'s finished and checked temporary copy onto `-o`;
- migrate: the schema version stamped by the upgrade steps, inside their transaction.
"""

import os
import sys
import time
from pathlib import Path


def _pause(marker: str) -> None:
    Path(marker).write_text(str(os.getpid()))
    time.sleep(300)


def _stop_at(point: str, marker: str) -> None:
    if point == "commit":
        from sqlalchemy import event
        from sqlalchemy.orm import Session

        event.listen(Session, "before_commit", lambda session: _pause(marker))
    elif point == "backup":
        replace = os.replace

        def replacing(src, dst, *args, **kwargs):
            if Path(src).name.startswith(".") and str(src).endswith(".tmp"):  # history._atomic_target's temp file
                _pause(marker)
            return replace(src, dst, *args, **kwargs)

        os.replace = replacing
    elif point == "migrate":
        from zhengzhi_cli import migrations

        set_meta = migrations._set_meta

        def stamping(conn, key, value):
            set_meta(conn, key, value)
            if key == "schema_version" and value == str(migrations.SCHEMA_VERSION):
                _pause(marker)

        migrations._set_meta = stamping
    else:
        raise SystemExit(f"paused_zz: no point {point!r}")


if __name__ == "__main__":
    point, marker, *args = sys.argv[1:]
    _stop_at(point, marker)
    from zhengzhi_cli.cli import main

    sys.argv = ["zz", *args]
    main()

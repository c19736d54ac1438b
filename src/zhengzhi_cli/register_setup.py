"""Setting up a register and telling where it is (`zz init`, `zz db path`); the register's own
facts once it exists (its plan, meta values) are in register.py."""

from __future__ import annotations

from pathlib import Path

from . import migrations
from .db import Settings, engine_for, resolve, sqlite_path
from .errors import Conflict, Invalid
from .plan import parse_plan


def where(settings: Settings) -> dict:
    url, source = resolve(settings.db)
    path = sqlite_path(url)
    shown_url = url
    if "@" in url:  # never print a password
        from sqlalchemy.engine import make_url

        shown_url = make_url(url).render_as_string(hide_password=True)
    return {"url": shown_url, "path": str(path) if path else None, "source": source,
            "exists": path.exists() if path else True}


PLAN_BYTES = 1 << 20  # a plan is a page of TOML; a bound keeps /dev/zero or a stray video from filling memory


def _read_plan(path: Path) -> str:
    import os
    import stat

    with open(path, "rb") as fh:  # opened first, then looked at: what is read is what was checked
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise Invalid(f"方案文件“{path}”不是普通文件（可能是设备或管道），请给出方案的 .toml 文件", field="plan")
        data = fh.read(PLAN_BYTES + 1)
    if len(data) > PLAN_BYTES:
        raise Invalid(f"方案文件“{path}”超过 1 MB，不像方案文件；请给出方案的 .toml 文件", field="plan")
    return data.decode("utf-8-sig")


def init_register(settings: Settings, *, plan_file: Path | None = None) -> dict:
    plan_text = None
    if plan_file is not None:
        try:
            plan_text = _read_plan(Path(plan_file))
        except FileNotFoundError:
            raise Invalid(f"方案文件不存在：{plan_file}", field="plan") from None
        except UnicodeDecodeError:
            raise Invalid(f"方案文件“{plan_file}”不是 UTF-8 文本", field="plan") from None
        parse_plan(plan_text, source=f"方案文件“{Path(plan_file).name}”")
    engine = engine_for(settings)
    info = where(settings)
    place = info["path"] or info["url"]
    existed = migrations.version_of(engine) is not None
    result = migrations.ensure(engine, plan_text=plan_text)
    from sqlalchemy import text

    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM meta WHERE key = 'plan'")).scalar_one()
    plan = parse_plan(stored)
    if existed and plan_text is not None and stored != plan_text:
        raise Conflict(
            f"登记簿 {place} 已存在，使用方案“{plan.name}”，不能更换方案（数据未做改动）。"
            "要为另一次专项整治新建登记簿，请用 --db 指定新文件", field="plan")
    if result == "created":
        message = f"已创建登记簿：{place}（方案：{plan.name}）"
    elif result == "upgraded":
        message = f"登记簿已升级到架构版本 {migrations.SCHEMA_VERSION}：{place}"
    else:
        message = f"登记簿已存在：{place}（方案：{plan.name}，未做改动）"
    return {"result": result, "message": message, "plan": plan.name, **info}

"""Builds a large, realistic register for timing the reports: the sample district's 74 units,
N issues spread over the 2017 campaign (most found in 自查自纠, fewer in 督查问责), 1–3 fixes
each (some 长期坚持, some 立行立改), completion and 销号 dates scattered around the deadlines
up to the register's "today", plus rules, check records, inspections, accountability,
opinions and typical cases in proportion.

Rows go in through SQLAlchemy Core executemany in large batches, with the secondary
indexes dropped during the load and rebuilt after, so it works the same for a SQLite file
and for a database URL (PostgreSQL):

    python benchmarks/make_register.py /tmp/zz-1m.db --issues 1000000
    python benchmarks/make_register.py postgresql+psycopg://zz@localhost/zz_bench --issues 100000

Deterministic for a given --seed. The target must be empty or absent (refused otherwise).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SAMPLE = ROOT / "src" / "zhengzhi_cli" / "sample_data"
D = dt.date
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "桂英", "建华",
         "立新", "国庆", "海燕", "志强", "建国", "春梅", "红梅", "文杰", "晓东", "玉兰", "宏伟", "振华", "淑珍", "丽娟", "德胜"]
SOURCES = (["自查"] * 60) + (["征求意见"] * 12) + (["督查"] * 13) + (["上级反馈"] * 7) + (["群众投诉"] * 8)
AREA_WEIGHTS = [6, 9, 10, 12, 11, 14, 9, 10, 8, 7]
TASKS = ["建立工作台账，逐项明确责任人和时限", "开展专题学习和警示教育", "制定整改方案并组织实施", "完善工作流程，公开办事指南",
         "召开专题民主生活会", "建立常态化督查机制", "开展岗位培训和业务练兵", "对相关责任人进行约谈提醒", "建立长效管理制度",
         "精简审批环节，压缩办理时限", "开展专项检查并通报结果", "建立群众评价反馈机制"]
RULE_TITLES = ["公务接待管理办法", "考勤管理办法", "首问负责制度", "限时办结制度", "重大决策部署学习传达制度", "公文精简审核制度",
               "会议精简管理办法", "政务信息公开制度", "安全生产网格化监管制度", "跨部门协调联动制度", "窗口服务规范", "谈心谈话制度"]


def _names(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(n)]


def _sample_units() -> list[dict]:
    with open(SAMPLE / "units.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _descriptions() -> list[str]:
    try:
        with open(SAMPLE / "issues.csv", encoding="utf-8-sig") as fh:
            out = sorted({row["问题描述"] for row in csv.DictReader(fh) if row.get("问题描述")})
        if out:
            return out
    except FileNotFoundError:
        pass
    return ["窗口服务态度生硬", "行政审批效率低下", "擅离职守、迟到早退", "发文照抄照搬，以文件落实文件"]


def _found_date(rng: random.Random, today: D) -> D:
    """Most problems come up in 自查自纠 (April–June), fewer in 督查问责, a few later."""
    r = rng.random()
    start, span = (D(2017, 3, 25), 97) if r < 0.65 else (D(2017, 7, 1), 91) if r < 0.9 else (D(2017, 10, 1), 80)
    span = min(span, (today - start).days)
    return start + dt.timedelta(days=rng.randint(0, span)) if span >= 0 else today


def build(url: str, *, issues: int, seed: int = 2017, today: D = D(2017, 11, 5), batch: int = 50_000,
          quiet: bool = False) -> dict:
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    from zhengzhi_cli import migrations, models  # noqa: F401
    from zhengzhi_cli.db import make_engine
    from zhengzhi_cli.issues import derive_dates, derive_status

    t0 = time.perf_counter()
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr))
    rng = random.Random(seed)
    engine = make_engine(url)
    with engine.connect() as conn:
        if sa.inspect(conn).get_table_names():
            raise SystemExit(f"目标数据库不是空的：{url}（请指定新文件或空库）")
    migrations.ensure(engine)

    models.load_all()
    md = SQLModel.metadata
    tables = {name: md.tables[name] for name in (
        "unit", "issue", "fix", "rule", "rule_issue", "check_record", "inspection", "inspection_unit",
        "accountability", "opinion", "typical_case")}
    heavy = [tables["issue"], tables["fix"]]

    with engine.begin() as conn:
        for t in heavy:
            for idx in t.indexes:
                idx.drop(conn)

    units = _sample_units()
    ids = {u["单位名称"]: i for i, u in enumerate(units, start=1)}
    unit_rows = [{"id": ids[u["单位名称"]], "code": u["单位代码"] or None, "name": u["单位名称"], "kind": u["单位类型"],
                  "parent_id": ids.get(u["上级单位"]) if u["上级单位"] else None, "leader": u.get("主要负责人") or None,
                  "contact": u.get("联系人") or None, "phone": u.get("联系电话") or None, "created_at": dt.datetime(2017, 3, 10)}
                 for u in units]
    # towns and 街道 carry more issues than a 下属单位
    unit_weight = {"街道": 3.0, "镇": 2.5, "园区": 1.5, "部门": 1.2, "事业单位": 0.8, "下属单位": 0.6}
    unit_ids = [ids[u["单位名称"]] for u in units]
    unit_w = [unit_weight.get(u["单位类型"], 1.0) for u in units]
    people = _names(rng, 400)
    leaders = _names(rng, 120)
    descriptions = _descriptions()

    n_fixes = 0
    with engine.begin() as conn:
        conn.execute(tables["unit"].insert(), unit_rows)
        issue_buf: list[dict] = []
        fix_buf: list[dict] = []
        unit_seq = dict.fromkeys(unit_ids, 0)
        fix_seq = dict.fromkeys(unit_ids, 0)
        fix_id = 0
        unit_pick = rng.choices(unit_ids, weights=unit_w, k=issues)
        area_pick = rng.choices(range(1, 11), weights=AREA_WEIGHTS, k=issues)
        n_fix_pick = rng.choices((1, 2, 3), weights=(55, 33, 12), k=issues)
        for i in range(issues):
            issue_id = i + 1
            unit_id = unit_pick[i]
            unit_seq[unit_id] += 1
            found = _found_date(rng, today)
            source = rng.choice(SOURCES)
            owner, leader = rng.choice(people), rng.choice(leaders)
            statuses, dates = [], []
            for _ in range(n_fix_pick[i]):
                fix_id += 1
                fix_seq[unit_id] += 1
                r = rng.random()
                ongoing = r < 0.08
                on_the_spot = 0.08 <= r < 0.13
                deadline = None
                if on_the_spot:
                    deadline = found
                elif not ongoing:
                    deadline = found + dt.timedelta(days=rng.choice((15, 30, 30, 45, 60, 60, 90, 120)))
                done_on = verified_on = None
                status = "整改中" if ongoing else rng.choice(("未开始", "整改中", "整改中", "整改中"))
                if not ongoing and rng.random() < 0.88:
                    slack = int(rng.gauss(-8, 18))
                    day = max(found, deadline + dt.timedelta(days=slack))
                    if day <= today:
                        done_on, status = day, "已完成"
                        if rng.random() < 0.8:
                            v = day + dt.timedelta(days=rng.randint(2, 30))
                            if v <= today:
                                verified_on, status = v, "已销号"
                statuses.append(status)
                dates.append((done_on, verified_on))
                fix_buf.append({
                    "id": fix_id, "issue_id": issue_id, "unit_id": unit_id, "seq": fix_seq[unit_id], "task": rng.choice(TASKS),
                    "deadline": deadline, "ongoing": ongoing, "on_the_spot": on_the_spot, "original_deadline": None,
                    "owner": owner, "leader": leader, "status": status, "progress": None, "done_on": done_on,
                    "evidence": None, "verified_on": verified_on, "verified_by": rng.choice(leaders) if verified_on else None,
                    "note": None, "created_on": min(found + dt.timedelta(days=rng.randint(0, 5)), today),
                    "issue_found_on": found,
                })
            fixes_done_on, fixes_verified_on = derive_dates(dates)
            issue_buf.append({
                "id": issue_id, "unit_id": unit_id, "seq": unit_seq[unit_id], "area": area_pick[i], "source": source,
                "check_item": rng.randint(1, 4) if source == "自查" else None, "description": rng.choice(descriptions),
                "found_on": found, "leader": leader, "owner": owner, "note": None, "status": derive_status(statuses),
                "created_on": min(found + dt.timedelta(days=rng.randint(0, 5)), today), "inspection_id": None, "opinion_id": None,
                "fixes_done_on": fixes_done_on, "fixes_verified_on": fixes_verified_on,
            })
            if len(issue_buf) >= batch:
                conn.execute(tables["issue"].insert(), issue_buf)
                conn.execute(tables["fix"].insert(), fix_buf)
                n_fixes += len(fix_buf)
                issue_buf, fix_buf = [], []
                say(f"  问题 {issue_id:,} / {issues:,}（{time.perf_counter() - t0:.0f} 秒）")
        if issue_buf:
            conn.execute(tables["issue"].insert(), issue_buf)
            conn.execute(tables["fix"].insert(), fix_buf)
            n_fixes += len(fix_buf)

        # the small tables, in proportion
        rules, links = [], []
        for k in range(max(issues // 5, len(unit_ids))):
            unit_id = unit_ids[k % len(unit_ids)]
            due = D(2017, 6, 30) + dt.timedelta(days=rng.choice((0, 30, 60, 90, 150)))
            done = due - dt.timedelta(days=rng.randint(-20, 40)) if rng.random() < 0.7 else None
            done = done if done and done <= today else None
            rules.append({"id": k + 1, "unit_id": unit_id, "seq": k // len(unit_ids) + 1, "title": rng.choice(RULE_TITLES),
                          "action": rng.choices(("立", "改", "废"), weights=(6, 3, 1))[0], "due_on": due,
                          "status": "已完成" if done else "未完成", "done_on": done, "doc_no": None, "note": None,
                          "created_on": D(2017, 5, 1) + dt.timedelta(days=rng.randint(0, 60))})
            links.append({"rule_id": k + 1, "issue_id": rng.randint(1, issues)})
        checks = [{"unit_id": u, "item": item, "checked_on": D(2017, 4, 10) + dt.timedelta(days=rng.randint(0, 70)),
                   "result": "已完成自查", "note": None}
                  for u in unit_ids for item in (1, 2, 3, 4) if rng.random() < 0.93]
        n_insp = max(issues // 50, 10)
        inspections = [{"id": k + 1, "kind": rng.choice(("明察暗访", "抽查检查", "集中督查")),
                        "inspected_on": min(D(2017, 7, 1) + dt.timedelta(days=rng.randint(0, 120)), today),
                        "inspectors": "区政府督查室", "findings": None, "note": None, "created_on": today} for k in range(n_insp)]
        insp_units = list({(k + 1, rng.choice(unit_ids)) for k in range(n_insp)})
        acc = [{"person": rng.choice(people), "position": "科员", "unit_id": rng.choice(unit_ids),
                "measure": rng.choices(("批评教育", "通报批评", "诫勉谈话", "组织处理", "移交纪检"), weights=(50, 25, 15, 7, 3))[0],
                "decided_on": min(D(2017, 7, 15) + dt.timedelta(days=rng.randint(0, 100)), today), "decided_by": "区政府督查室",
                "reason": "作风纪律问题", "referral": None, "outcome": None, "outcome_on": None, "note": None}
               for _ in range(max(issues // 100, 5))]
        opinions = [{"unit_id": rng.choice(unit_ids), "channel": rng.choice(("座谈会", "征求意见表", "服务评价评议")),
                     "from_group": rng.choice(("服务对象", "基层群众", "上级部门", "相关单位")), "content": "希望提高办事效率",
                     "topic": None, "people": rng.randint(1, 30),
                     "received_on": D(2017, 4, 1) + dt.timedelta(days=rng.randint(0, 150)), "issue_id": None,
                     "published_on": None, "note": None} for _ in range(max(issues // 20, 10))]
        cases = [{"kind": rng.choice(("正面", "反面")), "unit_id": rng.choice(unit_ids), "title": "作风纪律典型",
                  "person": None, "what": None, "happened_on": D(2017, 8, 1), "published_on": D(2017, 9, 1),
                  "published_where": "武清区政府网站", "note": None} for _ in range(max(issues // 500, 4))]
        for name, rows in (("rule", rules), ("rule_issue", links), ("check_record", checks), ("inspection", inspections),
                           ("inspection_unit", [{"inspection_id": a, "unit_id": b} for a, b in insp_units]),
                           ("accountability", acc), ("opinion", opinions), ("typical_case", cases)):
            for start in range(0, len(rows), batch):
                conn.execute(tables[name].insert(), rows[start : start + batch])

    say(f"  重建索引（{time.perf_counter() - t0:.0f} 秒）")
    with engine.begin() as conn:
        for t in heavy:
            for idx in t.indexes:
                idx.create(conn)
        if conn.dialect.name == "postgresql":
            for t in tables.values():  # explicit ids were inserted: move the sequences past them
                if "id" in t.c:
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                         f"GREATEST((SELECT MAX(id) FROM {t.name}), 1))"))
            conn.execute(sa.text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    took = time.perf_counter() - t0
    return {"url": url, "units": len(unit_rows), "issues": issues, "fixes": n_fixes, "seconds": round(took, 1), "today": today.isoformat()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="生成大型登记簿（用于报表测速）")
    ap.add_argument("target", help="SQLite 文件路径或数据库 URL")
    ap.add_argument("--issues", type=int, default=100_000, help="问题条数（默认 100000）")
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--today", default="2017-11-05", help="登记簿的“今天”：此后没有完成、销号和新问题")
    args = ap.parse_args(argv)
    url = args.target if "://" in args.target else f"sqlite:///{Path(args.target).expanduser().resolve()}"
    info = build(url, issues=args.issues, seed=args.seed, today=D.fromisoformat(args.today))
    print(f"已生成：{info['units']} 个单位，{info['issues']:,} 条问题，{info['fixes']:,} 项整改，用时 {info['seconds']} 秒 → {args.target}")


if __name__ == "__main__":
    main()

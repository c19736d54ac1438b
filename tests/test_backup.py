"""zz backup while others write, and zz restore (confirmation at a terminal, --yes for scripts).

SQLite: the online backup API. PostgreSQL: a consistent snapshot copied into a SQLite
register file, and restored by replacing every row in one transaction (history.py)."""

from __future__ import annotations

import shutil
import threading

from tests import procs
from tests.conftest import FIXTURES, Zz


def descriptions(zz: Zz) -> list[str]:
    return sorted(i["description"] for i in zz.json("issue list"))


def test_backup_while_others_write(district, register_url, tmp_path):
    district.ok("issue add 备份前的问题 --unit 杨村 --area 6")
    results: list = []

    def clerk(n):
        for i in range(5):
            results.append(procs.run(register_url, "issue", "add", f"办事员{n}-{i}", "--unit", "梅厂", "--area", "2"))

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    backups = []
    for k in range(3):
        out = tmp_path / f"备份{k}.db"
        result = procs.run(register_url, "backup", "-o", out)
        assert result.returncode == 0, result.stderr
        backups.append(out)
    for t in threads:
        t.join(timeout=300)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results if r.returncode]
    final = descriptions(district)
    assert len(final) == 1 + 3 * 5
    for out in backups:
        assert procs.sqlite_integrity(out) == "ok"
        copy = Zz(str(out))  # a backup is itself a register zz can open
        got = descriptions(copy)
        assert "备份前的问题" in got and set(got) <= set(final)
        changes = procs.count(str(out), "change")
        assert changes == procs.count(str(out), "issue") + 5  # a consistent snapshot: audit trail agrees with data


def test_restore_brings_a_backup_back(district, register_url, tmp_path):
    district.ok("issue add 备份里的问题 --unit 杨村 --area 6")
    district.ok("fix add 1 推行首问负责制 --deadline 2017-06-30")
    out = tmp_path / "备份.db"
    district.ok(["backup", "-o", out])
    snap = procs.snapshot(str(out))
    district.ok("issue add 备份之后的问题 --unit 杨村 --area 6")
    district.ok("fix done 1 --date 2017-06-20")
    after = procs.snapshot(register_url)

    refused = district(["restore", out])  # no terminal, no --yes: a usage error, nothing changed
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert procs.snapshot(register_url) == after

    district.ok(["restore", out, "--yes"])
    assert descriptions(district) == ["备份里的问题"]
    assert district.json("fix list")[0]["status"] == "未开始"
    restored = procs.snapshot(register_url)
    assert {t: rows for t, rows in restored.items() if t in snap and t != "change"} == {t: r for t, r in snap.items() if t != "change"}
    assert restored["change"][:-1] == snap["change"] and "恢复登记簿" in str(restored["change"][-1])  # the restore logs itself
    new = district.json("issue add 恢复后新登记 --unit 杨村 --area 6")  # ids go on from the backup's
    assert new["id"] == 2


def test_restore_asks_at_a_terminal(district, register_url, tmp_path, monkeypatch):
    from zhengzhi_cli.cli import history as cli_history

    district.ok("issue add 备份里的问题 --unit 杨村 --area 6")
    out = tmp_path / "备份.db"
    district.ok(["backup", "-o", out])
    district.ok("issue add 备份之后的问题 --unit 杨村 --area 6")
    monkeypatch.setattr(cli_history, "interactive", lambda: True)
    no = district(["restore", out], input="n\n")
    assert no.exit_code == 1 and "已取消" in no.stderr
    assert len(descriptions(district)) == 2
    yes = district(["restore", out], input="y\n")
    assert yes.exit_code == 0, yes.stderr
    assert descriptions(district) == ["备份里的问题"]


def test_restore_refuses_what_is_not_a_backup(district, register_url, tmp_path):
    before = procs.snapshot(register_url)
    junk = tmp_path / "随便.db"
    junk.write_bytes(b"not a database at all" * 100)
    result = district(["restore", junk, "--yes"])
    assert result.exit_code == 1 and "不是 zz 的备份文件" in result.stderr
    missing = district(["restore", tmp_path / "没有.db", "--yes"])
    assert missing.exit_code == 1 and "不存在" in missing.stderr
    assert procs.snapshot(register_url) == before


def test_restore_of_an_older_version_backup_upgrades_it(zz, register_url, tmp_path):
    old = tmp_path / "旧备份.db"
    shutil.copyfile(FIXTURES / "register_v1.sqlite", old)
    zz.ok(["restore", old, "--yes"])
    issues = zz.json("issue list")
    assert len(issues) == procs.count(str(FIXTURES / "register_v1.sqlite"), "issue")
    zz.ok(["issue", "add", "恢复后新登记", "--unit", issues[0]["unit"], "--area", "1"])

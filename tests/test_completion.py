"""Shell completion of unit names and areas: the callbacks, and one real round-trip."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from conftest import sqlite_only
from zhengzhi_cli.cli.common import complete_area, complete_milestone, complete_unit, completer

ZZ = Path(sys.executable).with_name("zz")


def _ctx(db=None):
    root = SimpleNamespace(params={"db": db})
    return SimpleNamespace(find_root=lambda: root)


@sqlite_only()
def test_complete_unit(district):
    names = [name for name, _code in complete_unit(_ctx(), "杨")]
    assert names == ["杨村街道"]
    assert dict(complete_unit(_ctx(), "街道")) == {"杨村街道": "120114001", "下朱庄街道": "120114002"}
    assert [n for n, _ in complete_unit(_ctx(), "1201141")] == ["梅厂镇"]
    assert len(complete_unit(_ctx(), "")) == 5
    assert complete_unit(_ctx(), "没有") == []


def test_complete_unit_without_a_register_is_empty(tmp_path):
    assert complete_unit(_ctx(str(tmp_path / "none.db")), "杨") == []
    assert not (tmp_path / "none.db").exists()  # completion never creates a register


def test_complete_area(zz):
    zz.ok("init")
    assert complete_area(_ctx(), "效") == [("效能意识", "（6）着力解决效能意识不强、行政效率低下的问题")]
    assert [a for a, _ in complete_area(_ctx(), "1")] == ["政治意识", "宣传意识"]
    assert len(complete_area(_ctx(), "")) == 10
    assert completer("sources")(_ctx(), "群") == ["群众投诉"]
    assert complete_milestone(_ctx(), "总") == ["总结报告"]


def _complete(words: str, cword: int, db: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZZ_DB": db, "_ZZ_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    return subprocess.run([str(ZZ)], env=env, capture_output=True, text=True, timeout=30)


@sqlite_only()
def test_real_completion_round_trip(district):
    r = _complete("zz issue add --unit 杨", 4, district.db)
    assert r.returncode == 0 and r.stdout.split() == ["杨村街道"], r.stdout + r.stderr
    r = _complete("zz issue add --area 效", 4, district.db)
    assert r.stdout.split() == ["效能意识"], r.stdout + r.stderr
    r = _complete("zz iss", 1, district.db)
    assert r.stdout.split() == ["issue"]
    r = _complete("zz fix ver", 2, district.db)
    assert r.stdout.split() == ["verify"]
    assert "Traceback" not in r.stderr

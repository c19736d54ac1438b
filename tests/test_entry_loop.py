"""`zz issue add` with no arguments at a terminal: a loop of prompted entries, each stored
at once; a refused entry is said and skipped; Ctrl-D ends. The real `zz` runs in a pty."""

import os

from conftest import sqlite_only


@sqlite_only()
def test_entry_loop_stores_each_entry_and_ctrl_d_ends(district, terminal):
    t = terminal("issue", "add")
    t.expect("逐条录入问题")
    t.expect("单位:")
    t.send("杨村")
    t.expect("问题描述:")
    t.send("窗口办事拖沓")
    t.expect("整治重点:")
    t.send("效能意识")
    t.expect("问题来源")
    t.send("")  # default 自查
    t.expect("四查四看（可空）:")
    t.send("")
    t.expect("发现日期 [")
    t.send("")
    t.expect("责任人:")
    t.send("王明")
    t.expect("已登记问题 #1（杨村街道 · 效能意识 · 自查）")
    # the first entry is stored before the clerk types the next one
    assert [i["description"] for i in district.json("issue list")] == ["窗口办事拖沓"]
    t.expect("单位 [杨村街道]:")  # last unit offered as default
    t.send("")
    t.expect("问题描述:")
    t.send("文件办理超时")
    t.expect("整治重点:")
    t.send("11")
    t.expect("整治重点 [11]:")  # refused at once: only this field is asked again
    os.kill(t.proc.pid, 2)  # Ctrl-C: this entry is dropped, the loop goes on
    t.expect("已放弃本条")
    t.expect("单位 [杨村街道]:")
    t.send("梅厂镇")
    t.expect("问题描述:")
    t.send("上班时间玩游戏")
    t.expect("整治重点:")
    t.send("七")
    t.expect("问题来源")
    t.send("督查")
    t.expect("四查四看（可空）:")
    t.send("")
    t.expect("发现日期 [")
    t.send("")
    t.expect("责任人:")
    t.send("")
    t.expect("已登记问题 #2（梅厂镇 · 规矩意识 · 督查）")
    t.expect("单位 [梅厂镇]:")
    os.write(t.master, b"\x04")  # Ctrl-D
    t.expect("本次录入 2 条问题")
    assert t.close() == 0
    issues = district.json("issue list")
    assert [(i["unit"], i["description"], i["area"], i["source"], i["owner"]) for i in issues] == [
        ("杨村街道", "窗口办事拖沓", "效能意识", "自查", "王明"), ("梅厂镇", "上班时间玩游戏", "规矩意识", "督查", None)]
    assert {e["operator"] for e in district.json("log")[:2]} == {"录入员"}
    assert "Traceback" not in t.seen


@sqlite_only()
def test_missing_option_is_prompted_at_a_terminal(district, terminal):
    t = terminal("issue", "add", "窗口办事拖沓", "--unit", "杨村")
    t.expect("整治重点:")
    t.send("6")
    t.expect("已登记问题 #1")
    assert t.close() == 0
    assert district.json("issue list")[0]["area"] == "效能意识"

"""zz issue: add, list, show, edit; areas, sources, dates, derived status, refusals."""

import pytest

from zzcheck import clean, refused


def add(zz, text="窗口办事拖沓", unit="杨村", area="6", *extra):
    return zz.json(["issue", "add", text, "--unit", unit, "--area", area, "--found", "2017-04-12", *extra])


@pytest.mark.parametrize("given,name,no", [("6", "效能意识", 6), ("六", "效能意识", 6), ("（六）", "效能意识", 6),
                                           ("效能意识", "效能意识", 6), ("1", "政治意识", 1), ("十", "宣传意识", 10),
                                           ("10", "宣传意识", 10), ("亲商意识", "亲商意识", 9)])
def test_area_by_number_numeral_or_name(district, given, name, no):
    issue = add(district, "x", "杨村", given)
    assert (issue["area"], issue["area_no"]) == (name, no)


@pytest.mark.parametrize("bad", ["11", "0", "十一", "效率", "-1"])
def test_area_out_of_range_refused(district, bad):
    refused(district, ["issue", "add", "x", "--unit", "杨村", "--area", bad], "整治重点", "1–10", "效能意识")


def test_add_json_record(district):
    issue = add(district, "窗口办事拖沓", "120114001", "效能意识", "--source", "群众投诉", "--check", "3",
                "--leader", "李强", "--owner", "王明", "--note", "12345热线转办")
    for key in ("id", "unit", "area", "source", "check", "description", "found_on", "leader", "owner", "status", "fixes"):
        assert key in issue
    assert issue["unit"] == "杨村街道" and issue["source"] == "群众投诉"
    assert issue["check"] == "查政务服务开展情况" and issue["found_on"] == "2017-04-12"
    assert (issue["leader"], issue["owner"], issue["status"], issue["fixes"]) == ("李强", "王明", "未整改", [])


def test_json_is_utf8_not_escaped(district):
    out = district(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--json"]).stdout
    assert "窗口办事拖沓" in out and "\\u" not in out


def test_default_source_and_found_date(district):
    import datetime as dt

    issue = district.json(["issue", "add", "x", "--unit", "杨村", "--area", "6"])
    assert issue["source"] == "自查" and issue["found_on"] == dt.date.today().isoformat()


def test_plain_output_for_people(district):
    out = district.ok(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6"]).stdout
    assert out.startswith("已登记问题 #1（杨村街道 · 效能意识 · 自查）")


def test_refusals_write_nothing(district):
    zz = district
    refused(zz, ["issue", "add", "x", "--unit", "街道", "--area", "6"], "可指多个单位", "杨村街道", "下朱庄街道")
    refused(zz, ["issue", "add", "x", "--unit", "没有这个单位", "--area", "6"], "单位")
    refused(zz, ["issue", "add", "x", "--unit", "杨村", "--area", "6", "--found", "2017-02-30"], "发现日期", "2017-02-30", "没有30日")
    refused(zz, ["issue", "add", "x", "--unit", "杨村", "--area", "6", "--source", "网上"], "问题来源", "自查、征求意见、督查、上级反馈、群众投诉")
    refused(zz, ["issue", "add", "x", "--unit", "杨村", "--area", "6", "--check", "5"], "四查四看")
    refused(zz, ["issue", "add", "  ", "--unit", "杨村", "--area", "6"], "问题描述")


def test_missing_required_option_without_terminal_is_usage_error(district):
    r = refused(district, ["issue", "add", "x", "--unit", "杨村"], "--area", status=2)
    assert "整治重点" in r.stderr
    refused(district, ["issue", "add", "x", "--area", "6"], "--unit", status=2)


def test_missing_option_with_stdin_not_a_terminal_never_hangs(district):
    # ZZ_NO_PROMPT unset: stdin is CliRunner's pipe (not a terminal), so still exit 2, not a prompt
    r = district(["issue", "add", "x", "--unit", "杨村"], env={"ZZ_NO_PROMPT": None}, input="")
    assert r.exit_code == 2 and "--area" in r.stderr


def test_list_filters(district):
    zz = district
    add(zz, "a", "杨村", "6")
    add(zz, "b", "杨村", "4", "--source", "督查")
    add(zz, "c", "梅厂镇", "6")
    assert [i["description"] for i in zz.json("issue list")] == ["a", "b", "c"]
    assert [i["description"] for i in zz.json("issue list --unit 杨村")] == ["a", "b"]
    assert [i["description"] for i in zz.json("issue list --area 效能意识")] == ["a", "c"]
    assert [i["description"] for i in zz.json("issue list --area 六 --unit 梅厂")] == ["c"]
    assert [i["description"] for i in zz.json("issue list --source 督查")] == ["b"]
    assert [i["description"] for i in zz.json("issue list --status 未整改")] == ["a", "b", "c"]
    assert zz.json("issue list --status 已销号") == []
    refused(zz, "issue list --status 完成", "问题状态", "未整改、整改中、已整改、已销号")
    table = zz.ok("issue list").stdout  # piped: a header line and tab-separated rows
    assert table.splitlines()[0].startswith("编号\t") and len(table.splitlines()) == 4 and "窗口" not in table


def test_show_and_edit(district):
    zz = district
    issue = add(zz)
    shown = zz.json(f"issue show {issue['id']}")
    assert shown["description"] == "窗口办事拖沓" and shown["rules"] == []
    edited = zz.json(["issue", "edit", str(issue["id"]), "--owner", "李强", "--area", "4", "--found", "2017年5月2日"])
    assert (edited["owner"], edited["area"], edited["found_on"]) == ("李强", "服务意识", "2017-05-02")
    moved = zz.json(["issue", "edit", str(issue["id"]), "--unit", "梅厂镇"])
    assert moved["unit"] == "梅厂镇"
    refused(zz, "issue show 999", "没有编号为 999 的问题")
    refused(zz, ["issue", "edit", str(issue["id"]), "--area", "11"], "整治重点")
    assert zz.json(f"issue show {issue['id']}")["area"] == "服务意识"
    clean(zz(f"issue show {issue['id']}"))


def test_derived_status_through_the_fix_lifecycle(district):
    zz = district
    issue = add(zz, "窗口办事拖沓", "杨村", "6", "--owner", "王明")
    iid = issue["id"]
    status = lambda: zz.json(f"issue show {iid}")["status"]  # noqa: E731
    assert status() == "未整改"
    f1 = zz.json(f"fix add {iid} 推行首问负责制 --deadline 2017-06-30")["id"]
    f2 = zz.json(f"fix add {iid} 公开办事流程 --deadline 长期坚持")["id"]
    assert status() == "未整改"  # fixes exist but none started
    zz.ok(f"fix progress {f1} 已起草制度 --date 2017-05-01")
    assert status() == "整改中"
    zz.ok(f"fix done {f1} --date 2017-06-20")
    assert status() == "整改中"  # f2 not started
    zz.ok(f"fix done {f2} --date 2017-06-21")
    assert status() == "已整改"
    zz.ok(f"fix verify {f1} --by 张华 --date 2017-07-01")
    assert status() == "已整改"
    zz.ok(f"fix return {f2} --by 张华 --reason 佐证不足")
    assert status() == "整改中"
    zz.ok(f"fix done {f2} --date 2017-07-05")
    zz.ok(f"fix verify {f2} --by 张华 --date 2017-07-06")
    assert status() == "已销号"
    assert [i["id"] for i in zz.json("issue list --status 已销号")] == [iid]


def test_moving_an_issue_to_another_unit_numbers_its_fixes_there(district):
    district.ok(["issue", "add", "甲", "--unit", "梅厂", "--area", "6"])
    other = district.json(["issue", "add", "乙", "--unit", "梅厂", "--area", "6"])
    district.ok(["fix", "add", "1", "梅厂的整改", "--deadline", "2017-06-30"])
    issue = district.json(["issue", "add", "丙", "--unit", "杨村", "--area", "6"])
    district.ok(["fix", "add", str(issue["id"]), "整改一", "--deadline", "2017-06-30"])
    district.ok(["fix", "add", str(issue["id"]), "整改二", "--deadline", "长期坚持"])
    moved = district.json(["issue", "edit", str(issue["id"]), "--unit", "梅厂"])
    assert moved["unit"] == "梅厂镇" and moved["seq"] == other["seq"] + 1
    assert [f["seq"] for f in moved["fixes"]] == [2, 3] and all(f["unit"] == "梅厂镇" for f in moved["fixes"])

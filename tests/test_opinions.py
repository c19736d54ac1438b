"""zz opinion: opinions collected, linked to or turned into issues (source 征求意见), the concerns
raised most often and whether their rectification was published; import from spreadsheets."""

import openpyxl


def changes(zz) -> int:
    return len(zz.json("log --limit 10000"))


def test_add_as_issue_and_link(district):
    zz = district
    op = zz.json(["opinion", "add", "办事要跑好几趟", "--unit", "杨村", "--channel", "座谈会", "--from", "服务对象",
                  "--count", "5", "--date", "2017-04-10", "--topic", "办事多跑路", "--as-issue", "--area", "服务意识"])
    assert op["channel"] == "座谈会" and op["from"] == "服务对象" and op["people"] == 5 and op["topic"] == "办事多跑路"
    issue = zz.json(f"issue show {op['issue_id']}")
    assert issue["source"] == "征求意见" and issue["opinion_id"] == op["id"] and issue["description"] == "办事要跑好几趟"
    assert issue["found_on"] == "2017-04-10" and issue["area"] == "服务意识"
    linked = zz.json(["opinion", "add", "材料要求反复变", "--unit", "梅厂", "--channel", "征求意见表", "--from", "基层群众",
                      "--date", "2017-04-12", "--issue", str(op["issue_id"])])
    assert linked["issue_id"] == op["issue_id"]
    loose = zz.json(["opinion", "add", "食堂饭菜贵", "--unit", "梅厂", "--channel", "服务评价评议", "--from", "相关单位", "--date", "2017-04-12"])
    assert loose["issue_id"] is None
    turned = zz.json(f"opinion link {loose['id']} --as-issue --area 为民意识")
    assert turned["issue_id"] and zz.json(f"issue show {turned['issue_id']}")["source"] == "征求意见"
    r = zz(f"opinion link {loose['id']} --issue {op['issue_id']}")
    assert r.exit_code == 1 and "已关联" in r.stderr


def test_concerns_ranked_with_rectification_and_publication(district):
    zz = district
    first = zz.json(["opinion", "add", "办事要跑好几趟", "--unit", "杨村", "--channel", "座谈会", "--from", "服务对象",
                     "--count", "5", "--date", "2017-04-10", "--topic", "办事多跑路", "--as-issue", "--area", "4"])
    zz.ok(["opinion", "add", "材料要求反复变", "--unit", "梅厂", "--channel", "征求意见表", "--from", "基层群众",
           "--count", "3", "--date", "2017-04-12", "--topic", "办事多跑路"])
    zz.ok(["opinion", "add", "停车难", "--unit", "梅厂", "--channel", "征求意见表", "--from", "基层群众", "--date", "2017-04-12"])
    data = zz.json("opinion list")
    top, second = data["concerns"]
    assert top["concern"] == "办事多跑路" and top["rank"] == 1 and top["times"] == 2 and top["people"] == 8
    assert top["units"] == ["杨村街道", "梅厂镇"] and top["issue_ids"] == [first["issue_id"]]
    assert top["rectification"] == "未整改" and top["published"] is False and top["published_on"] is None
    assert second["concern"] == "停车难" and second["rectification"] == "未立项"
    assert len(data["opinions"]) == 3
    fix = zz.json(f"fix add {first['issue_id']} 推行一次告知 --deadline 2017-06-30")
    zz.ok(f"fix done {fix['id']} --date 2017-06-20")
    zz.ok("opinion publish --topic 办事多跑路 --date 2017-07-05")
    top = zz.json("opinion list")["concerns"][0]
    assert top["rectification"] == "已整改" and top["published"] is True and top["published_on"] == "2017-07-05"
    out = zz.ok("opinion list").stdout
    assert "反映比较集中的突出问题" in out and "共 2 类" in out
    assert [o["content"] for o in zz.json("opinion list --unit 梅厂 --channel 征求意见表")["opinions"]] == ["材料要求反复变", "停车难"]


def test_refusals_write_nothing(district):
    zz = district
    before = changes(zz)
    r = zz("opinion add 意见 --unit 杨村 --channel 电话 --from 服务对象")
    assert r.exit_code == 1 and "征求方式" in r.stderr and "座谈会、征求意见表、服务评价评议" in r.stderr
    r = zz("opinion add 意见 --unit 杨村 --channel 座谈会 --from 企业")  # (群众 is the one group 基层群众)
    assert r.exit_code == 1 and "意见来源" in r.stderr and "服务对象、基层群众、上级部门、相关单位" in r.stderr
    r = zz("opinion add 意见 --unit 不存在 --channel 座谈会 --from 服务对象")
    assert r.exit_code == 1 and "单位" in r.stderr
    r = zz("opinion add 意见 --unit 杨村 --channel 座谈会 --from 服务对象 --as-issue")
    assert r.exit_code == 1 and "整治重点" in r.stderr
    r = zz("opinion add 意见 --unit 杨村 --channel 座谈会 --from 服务对象 --count 0")
    assert r.exit_code == 1 and "人数" in r.stderr
    r = zz("opinion add 意见 --unit 杨村 --channel 座谈会 --from 服务对象 --issue 404")
    assert r.exit_code == 1 and "问题编号" in r.stderr
    r = zz("opinion publish --date 2017-07-01")
    assert r.exit_code == 1 and "意见编号" in r.stderr
    assert zz("opinion add 意见 --unit 杨村 --from 服务对象").exit_code == 2
    assert changes(zz) == before and zz.json("opinion list")["opinions"] == []
    r = zz.ok("opinion add 意见 --unit 杨村 --channel 座谈会 --from 服务对象 --date 2018-02-01")
    assert "不在专项整治期间" in r.stderr


def _sheet(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "意见汇总"
    for row in rows:
        ws.append(row)
    wb.save(path)


def test_import(district, tmp_path):
    zz = district
    good = tmp_path / "意见.xlsx"
    _sheet(good, [
        ["武清区征求意见汇总表"],
        ["填报日期：2017年5月"],
        ["序号", "单位", "征求方式", "征求对象", "意见建议", "反映人数", "日期", "问题类别"],
        [1, "杨村街道", "发放征求意见表", "服务对象", "窗口午休无人", 4, "2017年5月3日", "窗口服务"],
        [2, "梅厂", "座谈会", "基层群众", "窗口中午关门", "２", "2017/5/4", "窗口服务"],
        [None, None, None, None, None, None, None, None],
        ["注：本表由各单位汇总报送"],
    ])
    r = zz.json(f"opinion import {good}")
    assert r["new"] == 2 and r["unchanged"] == 0
    ops = zz.json("opinion list")
    assert [(o["unit"], o["channel"], o["people"], o["received_on"]) for o in ops["opinions"]] == [
        ("杨村街道", "征求意见表", 4, "2017-05-03"), ("梅厂镇", "座谈会", 2, "2017-05-04")]
    assert ops["concerns"][0]["concern"] == "窗口服务" and ops["concerns"][0]["times"] == 2
    assert zz.json(f"opinion import {good}") | {"file": None} == {"file": None, "new": 0, "unchanged": 2, "outside_campaign": 0}

    bad = tmp_path / "错.xlsx"
    _sheet(bad, [
        ["征求方式", "意见来源", "意见内容", "人数", "日期"],
        ["座谈会", "服务对象", "好意见", 1, "2017-05-03"],
        ["电话", "服务对象", "坏方式", 1, "2017-05-03"],
        ["座谈会", "路人", "坏来源", "两", "五月"],
    ])
    before = changes(zz)
    r = zz(f"opinion import {bad} --unit 杨村")
    assert r.exit_code == 1
    for needle in ("意见汇总", "第 3 行", "征求方式", "第 4 行", "意见来源", "人数", "日期"):
        assert needle in r.stderr
    r = zz(f"opinion import {bad}")
    assert r.exit_code == 1 and "单位" in r.stderr
    assert changes(zz) == before and len(zz.json("opinion list")["opinions"]) == 2

    csv = tmp_path / "意见.csv"
    csv.write_bytes("单位,征求方式,意见来源,意见内容,日期\n下朱庄街道,服务评价,上级部门,材料报送慢,2017-06-01\n".encode("gbk"))
    assert zz.json(f"opinion import {csv} --dry-run")["new"] == 1
    assert len(zz.json("opinion list")["opinions"]) == 2
    zz.ok(f"opinion import {csv}")
    assert zz.json("opinion list --unit 下朱庄")["opinions"][0]["channel"] == "服务评价评议"

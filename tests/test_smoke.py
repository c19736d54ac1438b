"""The register opens, the daily path works end to end."""


def test_issue_fix_verify_path(district):
    zz = district
    issue = zz.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "效能意识", "--owner", "王明", "--found", "2017-04-12"])
    assert issue["unit"] == "杨村街道" and issue["area"] == "效能意识" and issue["status"] == "未整改"
    fix = zz.json(f"fix add {issue['id']} 推行首问负责制 --deadline 2017/6/30")
    assert fix["deadline"] == "2017-06-30" and fix["owner"] == "王明"
    zz.ok(f"fix done {fix['id']} --date 2017年6月20日")
    refused = zz(f"fix verify {fix['id']} --by 王明")
    assert refused.exit_code == 1 and "责任人" in refused.stderr
    zz.ok(f"fix verify {fix['id']} --by 张华 --date 2017.7.1")
    assert zz.json(f"issue show {issue['id']}")["status"] == "已销号"

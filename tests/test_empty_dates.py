"""An explicit empty date is refused, never silently taken as today (scripts with empty variables)."""


def test_empty_found_date_is_refused(district):
    r = district(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6", "--found", ""])
    assert r.exit_code == 1 and "发现日期" in r.stderr


def test_empty_done_date_is_refused(district):
    issue = district.json(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6"])
    fix = district.json(["fix", "add", str(issue["id"]), "推行首问负责制", "--deadline", "2017-06-30"])
    r = district(["fix", "done", str(fix["id"]), "--date", ""])
    assert r.exit_code == 1 and "完成日期" in r.stderr
    assert district.json(["fix", "show", str(fix["id"])])["status"] == "未开始"


def test_log_shows_chinese_words_unquoted(district):
    district.ok(["issue", "add", "窗口办事拖沓", "--unit", "杨村", "--area", "6"])
    last = district.json(["log", "--limit", "1"])[0]
    assert last["command"] == "zz issue add 窗口办事拖沓 --unit 杨村 --area 6"

"""zz case: typical cases, 正面 and 反面, and where and when they were published."""


def changes(zz) -> int:
    return len(zz.json("log --limit 10000"))


def test_add_publish_list(district):
    zz = district
    good = zz.json(["case", "add", "窗口推行延时服务", "--kind", "正面典型", "--unit", "杨村", "--what", "中午不断档",
                    "--date", "2017-06-01", "--published", "2017-07-05", "--where", "区政府网站"])
    assert good["kind"] == "正面" and good["unit"] == "杨村街道" and good["published_where"] == "区政府网站"
    bad = zz.json(["case", "add", "上班时间炒股被查处", "--kind", "反面", "--unit", "梅厂", "--person", "王明", "--date", "2017-08-20"])
    assert bad["person"] == "王明" and bad["published_on"] is None
    assert [c["kind"] for c in zz.json("case list")] == ["正面", "反面"]
    assert [c["id"] for c in zz.json("case list --kind 反面")] == [bad["id"]]
    assert [c["id"] for c in zz.json("case list --month 2017-07")] == [good["id"]]  # counted when published
    assert [c["id"] for c in zz.json("case list --month 2017-08")] == [bad["id"]]  # not published: when it happened
    pub = zz.json(f"case publish {bad['id']} --date 2017-09-02 --where 武清报")
    assert pub["published_on"] == "2017-09-02" and pub["published_where"] == "武清报"
    assert [c["id"] for c in zz.json("case list --month 2017-09")] == [bad["id"]]
    assert "反面" in zz.ok("case list").stdout


def test_refusals_write_nothing(district):
    zz = district
    before = changes(zz)
    r = zz("case add 标题 --kind 中性 --unit 杨村")
    assert r.exit_code == 1 and "典型类别" in r.stderr and "正面、反面" in r.stderr
    r = zz("case add 标题 --kind 正面 --unit 不存在")
    assert r.exit_code == 1 and "单位" in r.stderr
    r = zz("case add 标题 --kind 正面 --unit 杨村 --where 网站")
    assert r.exit_code == 1 and "公开日期" in r.stderr
    r = zz("case publish 9 --date 2017-09-01")
    assert r.exit_code == 1 and "案例编号" in r.stderr
    assert zz("case add 标题 --unit 杨村").exit_code == 2
    assert changes(zz) == before and zz.json("case list") == []
    r = zz.ok("case add 标题 --kind 正面 --unit 杨村 --date 2018-03-01")
    assert "不在专项整治期间" in r.stderr

"""zz accountability: measures against people, linked issues, 移交纪检 referrals and their outcome."""


def changes(zz) -> int:
    return len(zz.json("log --limit 10000"))


def _issue(zz, text="上班时间炒股", unit="杨村") -> int:
    return zz.json(["issue", "add", text, "--unit", unit, "--area", "规矩意识", "--found", "2017-06-01"])["id"]


def test_add_list_show(district):
    zz = district
    i1, i2 = _issue(zz), _issue(zz, "值班脱岗")
    rec = zz.json(["accountability", "add", "王明", "--unit", "杨村", "--measure", "诫勉谈话", "--date", "2017-08-02",
                   "--position", "科员", "--by", "区监察局", "--reason", "上班时间炒股", "--issue", str(i1), "--issue", str(i2)])
    assert rec["person"] == "王明" and rec["position"] == "科员" and rec["unit"] == "杨村街道"
    assert rec["measure"] == "诫勉谈话" and rec["decided_on"] == "2017-08-02" and rec["decided_by"] == "区监察局"
    assert rec["issue_ids"] == [i1, i2] and rec["pending"] is False
    assert [i["description"] for i in rec["issues"]] == ["上班时间炒股", "值班脱岗"]
    zz.ok("accountability add 李强 --unit 梅厂 --measure 批评教育 --date 2017-09-10")
    assert [r["person"] for r in zz.json("accountability list")] == ["王明", "李强"]
    assert [r["person"] for r in zz.json("accountability list --measure 批评教育")] == ["李强"]
    assert [r["person"] for r in zz.json("accountability list --unit 杨村")] == ["王明"]
    assert [r["person"] for r in zz.json("accountability list --month 2017-09")] == ["李强"]
    assert "王明" in zz.ok("accountability list").stdout
    assert zz.json(f"accountability show {rec['id']}")["reason"] == "上班时间炒股"


def test_referral_and_its_outcome(district):
    zz = district
    rec = zz.json(["accountability", "add", "孙某", "--unit", "梅厂", "--measure", "移交纪检", "--date", "2017-08-10",
                   "--position", "副镇长", "--referral", "移交区纪委，武纪移〔2017〕3号"])
    assert rec["referral"] == "移交区纪委，武纪移〔2017〕3号" and rec["pending"] is True and rec["outcome"] is None
    assert [r["id"] for r in zz.json("accountability list --pending")] == [rec["id"]]
    r = zz(["accountability", "outcome", str(rec["id"]), "给予党内警告处分", "--date", "2017-08-01"])
    assert r.exit_code == 1 and "早于移交日期" in r.stderr
    done = zz.json(["accountability", "outcome", str(rec["id"]), "给予党内警告处分", "--date", "2017-09-20"])
    assert done["outcome"] == "给予党内警告处分" and done["outcome_on"] == "2017-09-20" and done["pending"] is False
    assert zz.json("accountability list --pending") == []


def test_refusals_write_nothing(district):
    zz = district
    plain = zz.json("accountability add 李强 --unit 梅厂 --measure 批评教育 --date 2017-09-10")
    before = changes(zz)
    r = zz("accountability add 王明 --unit 不存在的单位 --measure 批评教育 --date 2017-08-02")
    assert r.exit_code == 1 and "单位" in r.stderr and "不存在的单位" in r.stderr
    r = zz("accountability add 王明 --unit 杨村 --measure 警告处分 --date 2017-08-02")
    assert r.exit_code == 1 and "问责方式" in r.stderr and "批评教育、通报批评、诫勉谈话、组织处理、移交纪检" in r.stderr
    r = zz("accountability add 王明 --unit 杨村 --measure 批评教育 --date 2017-08-02 --referral 区纪委")
    assert r.exit_code == 1 and "--referral" in r.stderr
    r = zz("accountability add 王明 --unit 杨村 --measure 批评教育 --date 2017-08-02 --issue 404")
    assert r.exit_code == 1 and "问题编号" in r.stderr
    r = zz(f"accountability outcome {plain['id']} 已处理")
    assert r.exit_code == 1 and "移交纪检" in r.stderr
    r = zz("accountability outcome 999 已处理")
    assert r.exit_code == 1 and "问责编号" in r.stderr
    assert zz("accountability add 王明 --unit 杨村 --date 2017-08-02").exit_code == 2  # --measure missing, no prompt
    assert changes(zz) == before and len(zz.json("accountability list")) == 1


def test_date_outside_campaign_is_warned(district):
    r = district.ok("accountability add 王明 --unit 杨村 --measure 通报批评 --date 2016-12-30")
    assert "不在专项整治期间" in r.stderr and "已登记问责" in r.stdout

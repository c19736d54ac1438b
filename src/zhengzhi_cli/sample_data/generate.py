"""Writes the sample district's CSV files (run once; the CSVs are committed).

The units are the Wuqing district's: its 6 街道 and 24 镇 with their official
division codes (120114001 … 120114124), its parks, and the departments the plan
names. Problems, measures and rules are written in the plan's own vocabulary, one
set per focus area; dates follow the plan's phases of 2017. Deterministic (seeded).

    python src/zhengzhi_cli/sample_data/generate.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(20170321)

STREETS = ["杨村街道", "下朱庄街道", "东蒲洼街道", "黄庄街道", "徐官屯街道", "运河西街道"]
TOWNS = ["梅厂镇", "大碱厂镇", "崔黄口镇", "大良镇", "下伍旗镇", "南蔡村镇", "大孟庄镇", "泗村店镇", "河西务镇", "城关镇",
         "东马圈镇", "黄花店镇", "石各庄镇", "王庆坨镇", "汊沽港镇", "河北屯镇", "上马台镇", "大王古庄镇", "陈咀镇", "豆张庄镇",
         "曹子里镇", "大黄堡镇", "高村镇", "白古屯镇"]
PARKS = ["武清经济技术开发区", "京滨工业园", "京津科技谷产业园", "武清商务区", "天津电子商务产业园"]
DEPARTMENTS = ["区政府办公室", "区监察局", "区政府督查室", "区审计局", "区安全监管局", "区市场监管局", "区行政审批局", "区环保局",
               "区发展改革委", "区财政局", "区人力社保局", "区教育局", "区民政局", "区卫生计生委", "区建委", "区交通局", "区水务局",
               "区农委", "区商务委", "区科委", "区规划局", "区国土分局", "区城管委", "区信访办", "区统计局", "区司法局",
               "区文化广播电视局", "区住房保障局"]
INSTITUTIONS = ["区公共资源交易中心", "区供热办", "区广播电视台"]
SUBORDINATES = [("区政务服务中心", "区行政审批局"), ("杨村市场监管所", "区市场监管局"), ("城关市场监管所", "区市场监管局"),
                ("区环境监测站", "区环保局"), ("区就业服务中心", "区人力社保局"), ("区不动产登记中心", "区国土分局"),
                ("区社会保险基金管理中心", "区人力社保局"), ("区城市管理综合执法大队", "区城管委")]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "桂英", "建华",
         "立新", "国庆", "海燕", "志强", "建国", "春梅", "红梅", "文杰", "晓东", "玉兰", "宏伟", "振华", "淑珍", "丽娟", "德胜"]

# (area no, problem, measures, rule) — phrased after the plan's own symptom text
PROBLEMS = {
    1: [("对上级重大决策部署学习传达不及时，传达贯彻停留在会议层面", ["建立重大决策部署学习传达台账，三日内传达到位", "班子成员分片督导落实情况"], "重大决策部署学习传达制度"),
        ("落实区委、区政府安排部署打折扣、搞变通，部分任务落实不到位", ["逐项梳理未落实任务，明确时限和责任人", "纳入月度督查重点"], "重点任务落实督办制度")],
    2: [("落实中央八项规定精神不彻底，公务接待超标准", ["开展公务接待专项清理", "严格执行公务接待审批单制度"], "公务接待管理办法"),
        ("存在好人主义现象，批评与自我批评开展不经常", ["召开专题民主生活会", "建立谈心谈话常态机制"], "谈心谈话制度"),
        ("形式主义问题依然突出，工作留痕多、实效少", ["清理各类台账报表，精简三分之一以上", "推行以结果为导向的考核"], None)],
    3: [("部门间对接沟通不主动，存在推诿扯皮现象", ["建立跨部门联席会议机制", "推行首办负责制"], "跨部门协调联动制度"),
        ("安全生产监管职责履行不到位，隐患排查该管不管", ["开展安全隐患全面排查", "建立隐患整改销号台账"], "安全生产网格化监管制度"),
        ("突发事件信息报送迟报，未按规定时限上报", ["组织信息报送专题培训", "落实领导带班值班制度"], "突发事件信息报送制度")],
    4: [("窗口服务态度生硬，群众反映门难进、脸难看、事难办", ["开展窗口服务礼仪培训", "设立服务评价器，每月通报评价结果"], "窗口服务规范"),
        ("首问负责、限时办结制度落实不到位", ["推行首问负责制和限时办结制", "建立办件超时预警"], "首问负责制度"),
        ("向服务对象变相增加办事环节和条件", ["全面梳理办事事项和申请材料", "公布办事指南，取消无依据要件"], "办事指南公开制度")],
    5: [("重点工作进展缓慢，确定的目标任务未按要求完成", ["倒排工期，挂图作战", "每周调度重点项目进展"], "重点项目调度制度"),
        ("面对困难和矛盾不敢担当，存在等一等、靠一靠现象", ["建立干部担当作为激励机制", "对推诿拖延问题约谈问责"], None),
        ("主动想事干事不足，工作标准不高", ["对标先进地区制定工作标准", "开展岗位练兵"], None)],
    6: [("行政审批效率低下，环节交叉，程序繁琐", ["精简审批环节，推行一窗受理、并联审批", "压缩审批时限三分之一"], "并联审批工作规程"),
        ("发文照抄照搬，以文件落实文件", ["建立发文审核机制，控制发文数量", "推行短文、实文"], "公文精简审核制度"),
        ("开会照本宣科，文山会海问题突出", ["合并同类会议，严控会议时长", "推行视频会议"], "会议精简管理办法"),
        ("调查研究不深入，情况不清、心中无数", ["班子成员每季度开展蹲点调研", "形成调研报告并推动转化"], "调查研究制度")],
    7: [("上班时间网购、玩游戏，从事与工作无关活动", ["开展工作纪律专项检查", "对违规人员通报批评"], "工作纪律管理规定"),
        ("擅离职守、迟到早退，随意脱岗", ["实行考勤抽查通报", "严格执行请假报备制度"], "考勤管理办法"),
        ("领导带班值班不落实", ["完善领导带班值班表并公示", "不定期电话抽查"], "领导带班值班制度")],
    8: [("对群众反映强烈的突出问题措施不力，初信初访重视不足", ["建立初信初访首办责任制", "对积案逐件包案化解"], "信访首办责任制"),
        ("惠民政策落实不到位，群众关心的实际问题未得到很好解决", ["开展惠民政策落实情况回头看", "公布政策兑现情况"], None),
        ("人大代表建议、政协提案办理答复敷衍塞责", ["建立建议提案办理台账", "实行办理结果回访"], "建议提案办理工作制度")],
    9: [("“双万双服”活动盯得不紧、抓得不实", ["建立包联企业台账，每月走访", "企业诉求限时办结"], "包联服务企业制度"),
        ("为企业服务办事中存在“玻璃门”“弹簧门”", ["清理涉企审批事项", "开通企业服务直通车"], "涉企服务承诺制度"),
        ("政策缺乏连续性，政出多门、朝令夕改", ["清理涉企政策文件", "建立政策出台前征求企业意见机制"], None)],
    10: [("网上发布政务信息时间晚、内容少、不更新", ["明确信息发布责任人，每周更新", "开展政务网站自查"], "政务信息公开工作制度"),
         ("对政务舆情反应迟缓，失声缺位", ["建立舆情监测和快速回应机制", "指定新闻发言人"], "政务舆情回应制度"),
         ("社会关切事项处理结果不透明", ["定期公开重点事项办理结果", "完善办事公开栏"], None)],
}
SOURCES = ["自查"] * 6 + ["征求意见"] * 2 + ["上级反馈", "群众投诉"]
CHECK_FOR_AREA = {1: 1, 2: 1, 3: 2, 5: 2, 9: 2, 4: 3, 8: 3, 10: 3, 6: 4, 7: 4}
# These units send their lists as workbooks (sample_data/workbooks/), which `zz demo` imports.
SENT_WORKBOOKS = {"杨村街道", "梅厂镇", "下朱庄街道"}
VERIFIERS = ["区政府督查室刘洋", "区监察局陈静", "区政府办公室周明"]


def person() -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


def day_between(a: dt.date, b: dt.date) -> dt.date:
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def write(name: str, header: list[str], rows: list[list]) -> None:
    with open(HERE / name, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    units = make_units()
    write("units.csv", ["单位名称", "单位类型", "单位代码", "上级单位", "主要负责人", "联系人", "联系电话"], units)

    checks, issues, fixes, rules, milestones = [], [], [], [], []
    skip_oversight = {"区政府办公室", "区监察局", "区政府督查室"}
    for unit in [u[0] for u in units]:
        leader = person()
        lagging = rng.random() < 0.12  # a few units fall behind, as real ones do
        phases_one_two(unit, lagging, checks, milestones)
        if unit in skip_oversight or unit in SENT_WORKBOOKS:
            continue
        unit_issues(unit, leader, lagging, issues, fixes, rules)
    write("checks.csv", ["单位", "四查四看", "日期", "结果"], checks)
    write("issues.csv", ["单位", "序号", "整治重点", "问题来源", "四查四看", "问题描述", "发现日期", "责任领导", "责任人", "登记日期"], issues)
    write("fixes.csv", ["单位", "问题序号", "序号", "整改任务及措施", "整改时限", "责任领导", "责任人", "整改状态", "进展", "完成日期",
                        "销号人", "销号日期", "延期至", "延期批准人", "延期理由", "登记日期"], fixes)
    write("rules.csv", ["单位", "序号", "制度名称", "立改废", "问题序号", "计划完成时间", "状态", "完成日期", "文号", "登记日期"], rules)
    write("milestones.csv", ["单位", "节点", "完成日期", "文号"], milestones)
    supervision(units, issues)
    print(f"units {len(units)}, checks {len(checks)}, issues {len(issues)}, fixes {len(fixes)}, rules {len(rules)}, milestones {len(milestones)}")


def make_units() -> list[list]:
    units = []
    for i, name in enumerate(STREETS, start=1):
        units.append([name, "街道", f"12011400{i}", "", person(), person(), f"022-2934{rng.randint(1000, 9999)}"])
    for i, name in enumerate(TOWNS, start=101):
        units.append([name, "镇", f"120114{i}", "", person(), person(), f"022-2957{rng.randint(1000, 9999)}"])
    for i, name in enumerate(PARKS, start=1):
        units.append([name, "园区", f"P{i:02d}", "", person(), person(), f"022-8212{rng.randint(1000, 9999)}"])
    for i, name in enumerate(DEPARTMENTS, start=1):
        units.append([name, "部门", f"D{i:02d}", "", person(), person(), f"022-2214{rng.randint(1000, 9999)}"])
    for i, name in enumerate(INSTITUTIONS, start=1):
        units.append([name, "事业单位", f"S{i:02d}", "", person(), person(), f"022-2216{rng.randint(1000, 9999)}"])
    for i, (name, parent) in enumerate(SUBORDINATES, start=1):
        units.append([name, "下属单位", f"X{i:02d}", parent, person(), person(), f"022-2218{rng.randint(1000, 9999)}"])
    return units


def phases_one_two(unit: str, lagging: bool, checks: list, milestones: list) -> None:
    # phase 1: 实施方案, 领导机构, 动员会议
    for key, base in (("实施方案", "2017-03-24"), ("领导机构", "2017-03-22"), ("动员会议", "2017-03-28")):
        if lagging and rng.random() < 0.5:
            continue
        late = rng.random() < 0.1
        done = d(base) + dt.timedelta(days=rng.randint(0, 6) + (10 if late else 0))
        milestones.append([unit, key, done.isoformat(), f"{unit[:4]}〔2017〕{rng.randint(3, 30)}号" if key == "实施方案" else ""])
    # phase 2: 四查四看
    for item in range(1, 5):
        if lagging and item == 4:
            continue
        checks.append([unit, item, day_between(d("2017-04-05"), d("2017-05-20")).isoformat(),
                       f"对照{['政治纪律', '政令政策', '政务服务', '机关建设'][item - 1]}自查，查找问题{rng.randint(1, 4)}个"])


def unit_issues(unit: str, leader: str, lagging: bool, issues: list, fixes: list, rules: list) -> None:
    n = rng.randint(2, 5)
    areas = rng.sample(range(1, 11), n)
    seq_fix = 0
    rule_seq = 0
    for seq, area in enumerate(areas, start=1):
        text, measures, rule = rng.choice(PROBLEMS[area])
        source = rng.choice(SOURCES)
        found = day_between(d("2017-04-10"), d("2017-06-10"))
        registered = found + dt.timedelta(days=rng.randint(0, 10 if not lagging else 40))
        owner = person()
        issues.append([unit, seq, area, source, CHECK_FOR_AREA[area] if source == "自查" else "", text,
                       found.isoformat(), leader, owner, registered.isoformat()])
        for m_i, measure in enumerate(measures):
            seq_fix += 1
            fixes.append([unit, seq, seq_fix, *fix_fate(m_i, measure, leader, owner, found, registered), registered.isoformat()])
        if rule:
            rule_seq += 1
            due = rng.choice(["2017-06-30", "2017-09-30", "2017-12-31"])
            action = rng.choice(["立", "立", "立", "改", "废"])
            title = rule if action != "废" else f"原{rule}（已不适应）"
            done = rng.random() < 0.4
            rules.append([unit, rule_seq, title, action, seq, due, "已完成" if done else "未完成",
                          day_between(registered, max(registered, d("2017-07-10"))).isoformat() if done else "",
                          f"{unit[:4]}〔2017〕{rng.randint(30, 90)}号" if done else "", registered.isoformat()])


DEADLINES = ["2017-05-31", "2017-06-30", "2017-06-30", "2017-07-31", "2017-09-30", "2017-12-31"]


def fix_fate(m_i: int, measure: str, leader: str, owner: str, found: dt.date, registered: dt.date) -> list:
    """One measure's deadline and what became of it by mid-July: done, 销号, under way, extended.
    A deadline is never before the problem was found (zz would warn the clerk): it is then the next one of
    DEADLINES, written in the CSV after the fate is drawn (so the rng's order, and every other row, stay as they were)."""
    roll = rng.random()
    if m_i == 1 and roll < 0.2:
        deadline = "长期坚持"
    else:
        deadline = rng.choice(DEADLINES)
    status, progress, done_on, verifier, verified_on = "未开始", "", "", "", ""
    ext_to = ext_by = ext_why = ""
    if deadline != "长期坚持":
        dl = d(deadline)
        fate = rng.random()
        if fate < 0.45:
            status, done_on = "已完成", min(dl + dt.timedelta(days=rng.randint(-30, 5)), d("2017-07-14"))
            if done_on < registered:
                done_on = registered + dt.timedelta(days=rng.randint(1, 15))
            if done_on > d("2017-07-14"):
                status, done_on = "整改中", ""
            elif rng.random() < 0.6:
                status, verifier = "已销号", rng.choice(VERIFIERS)
                verified_on = (done_on + dt.timedelta(days=rng.randint(2, 10))).isoformat()
            done_on = done_on.isoformat() if done_on else ""
        elif fate < 0.8:
            status, progress = "整改中", "已制定工作方案，正在推进"
        if status in ("未开始", "整改中") and dl < d("2017-07-15") and rng.random() < 0.25:
            ext_to, ext_by, ext_why = (dl + dt.timedelta(days=61)).isoformat(), "孙剑楠", "涉及跨部门协调，需延长时限"
    else:
        status, progress = "整改中", "长效机制已建立，持续推进"
    if deadline != "长期坚持":
        deadline = next(x for x in DEADLINES if x >= max(deadline, found.isoformat()))
    return [measure, deadline, leader, owner, status, progress, done_on, verifier, verified_on, ext_to, ext_by, ext_why]


INSPECTION_FINDINGS = [
    (7, "工作人员上班时间玩手机游戏"), (7, "部分科室上午九点仍无人在岗"), (4, "窗口人员对办事群众态度生硬"),
    (6, "办事指南未及时更新，群众多跑路"), (3, "安全生产隐患整改台账不完整"), (8, "群众来信未按期答复"),
    (10, "政务公开栏内容停留在上年度"), (2, "公务接待无审批单"),
]
OPINIONS = [
    ("办事要跑好几趟，材料一次说不清", "办事多跑路", 4), ("窗口中午不办公，上班族办不了事", "窗口服务时间", 4),
    ("企业诉求反映后长时间没有回音", "企业诉求回应慢", 9), ("政策文件看不懂，缺少解读", "政策解读不够", 10),
    ("村里反映的路灯问题拖了半年", "民生小事解决慢", 8), ("审批材料要求重复提交", "办事多跑路", 6),
]
GOOD_CASES = [("推行“延时服务”“预约服务”，群众办事不打烊", "窗口服务"), ("干部包联企业，一周内解决用地难题", "亲商服务"),
              ("建立“四查四看”问题销号台账，整改件件有着落", "整改落实")]
BAD_CASES = [("工作时间擅离岗位被通报批评", 7), ("对群众诉求推诿扯皮被诫勉谈话", 3)]


def supervision(units: list[list], issues: list[list]) -> None:
    names = [u[0] for u in units if u[1] in ("街道", "镇", "部门")]
    inspections, accountability, opinions, cases = [], [], [], []
    visited = rng.sample(names, 24)
    kinds = ["明察暗访", "抽查检查", "集中督查"]
    for i in range(8):
        group = visited[i * 3:(i + 1) * 3] if i % 3 == 2 else visited[i * 3:i * 3 + 1]
        on = day_between(d("2017-07-03"), d("2017-07-14"))
        area, finding = rng.choice(INSPECTION_FINDINGS)
        inspections.append([kinds[i % 3], on.isoformat(), "、".join(group), "区政府督查室" + person() + "、区监察局" + person(),
                            f"{group[0]}：{finding}", area, person()])
    for _ in range(6):
        unit = rng.choice(names)
        measure = rng.choice(["批评教育", "通报批评", "诫勉谈话", "批评教育", "组织处理"])
        accountability.append([person(), rng.choice(["科员", "副科长", "窗口工作人员", "办事员", "副主任"]), unit, measure,
                               day_between(d("2017-07-05"), d("2017-07-14")).isoformat(), "区政府督查室",
                               rng.choice(["上班时间擅离岗位", "对群众诉求推诿扯皮", "整改任务逾期未完成且未申请延期"]), ""])
    accountability.append([person(), "副所长", rng.choice(names), "移交纪检", "2017-07-12", "区政府",
                           "违规收受管理服务对象礼金", "移交区纪委监委，武纪移〔2017〕3号"])
    for unit in rng.sample(names, 14):
        text, topic, area = rng.choice(OPINIONS)
        opinions.append([unit, rng.choice(["座谈会", "征求意见表", "服务评价评议"]), rng.choice(["服务对象", "基层群众", "相关单位"]),
                         text, rng.randint(3, 30), day_between(d("2017-04-10"), d("2017-06-20")).isoformat(), topic,
                         area if rng.random() < 0.5 else ""])
    for title, _ in GOOD_CASES:
        on = day_between(d("2017-05-10"), d("2017-07-10"))
        cases.append([title, "正面", rng.choice(names), person(), title, on.isoformat(),
                      (on + dt.timedelta(days=3)).isoformat(), "区政府网站"])
    for title, _ in BAD_CASES:
        on = day_between(d("2017-07-03"), d("2017-07-10"))
        cases.append([title, "反面", rng.choice(names), "", title, on.isoformat(), (on + dt.timedelta(days=2)).isoformat(), "武清区政务网"])
    write("inspections.csv", ["督查形式", "日期", "被督查单位", "督查人员", "发现问题", "整治重点", "责任人"], inspections)
    write("accountability.csv", ["姓名", "职务", "单位", "问责方式", "日期", "决定机关", "事由", "移交情况"], accountability)
    write("opinions.csv", ["单位", "征求方式", "意见来源", "意见内容", "人数", "日期", "主题", "转为问题（整治重点）"], opinions)
    write("cases.csv", ["标题", "类型", "单位", "人员", "事迹", "日期", "发布日期", "发布渠道"], cases)


if __name__ == "__main__":
    main()

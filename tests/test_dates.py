"""Dates in every form SPEC lists, and refusals of dates that do not exist."""

import pytest

from zhengzhi_cli.dates import parse_date, parse_deadline, parse_loose_date
from zhengzhi_cli.errors import Invalid
from zzcheck import refused


@pytest.mark.parametrize("text", ["2017-06-30", "2017/6/30", "2017.6.30", "2017年6月30日", " 2017年06月30日 ", "２０１７－６－３０",
                                  "6月底前", "2017-6", "上半年"])  # one vocabulary for every date option (#11)
def test_command_date_forms(district, text):
    issue = district.json(["issue", "add", "x", "--unit", "杨村", "--area", "1", "--found", text])
    assert issue["found_on"] == "2017-06-30"


@pytest.mark.parametrize("text", ["2017-02-30", "2017/13/1", "2017年2月29日", "昨天", "6月31日前", "2017-13"])
def test_impossible_or_loose_dates_refused_on_the_command_line(district, text):
    refused(district, ["issue", "add", "x", "--unit", "杨村", "--area", "1", "--found", text], "发现日期")


def test_leap_day():
    assert parse_date("2016-02-29").isoformat() == "2016-02-29"
    with pytest.raises(Invalid, match="没有29日"):
        parse_date("2017-02-29")


@pytest.mark.parametrize("text,expected", [("6月底前", "2017-06-30"), ("2017年6月底", "2017-06-30"), ("年底前", "2017-12-31"),
                                           ("9月中旬", "2017-09-20"), ("2017.9.30前", "2017-09-30"), (42916, "2017-06-30")])
def test_workbook_dates(text, expected):
    assert parse_loose_date(text, year=2017).isoformat() == expected


def test_deadline_words():
    assert parse_deadline("长期坚持", year=2017).ongoing
    spot = parse_deadline("立行立改", year=2017, found_on=parse_date("2017-04-01"))
    assert spot.on_the_spot and spot.date.isoformat() == "2017-04-01"


@pytest.mark.parametrize("option", [["fix", "list", "--as-of"], ["issue", "list", "--as-of"], ["phase", "--as-of"], ["plan", "--as-of"]])
def test_as_of_refuses_bad_dates(district, option):
    refused(district, [*option, "2017-02-30"], "--as-of")

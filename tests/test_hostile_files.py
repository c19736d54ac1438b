"""Hostile files (SPEC §6): refused fast with a clear Chinese message, never a traceback."""

import time
import zipfile


MINIMAL = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
}


def _zip(path, parts: dict, *, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def _refused(zz, path, *words):
    start = time.monotonic()
    r = zz(["import", path, "--unit", "杨村"])
    assert r.exit_code == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "内部错误" not in r.stderr
    for w in words:
        assert w in r.stderr, r.stderr
    assert time.monotonic() - start < 10
    return r


def test_old_xls(district, tmp_path):
    path = tmp_path / "旧表.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    _refused(district, path, ".xls", "另存为")


def test_renamed_and_random_bytes(district, tmp_path):
    (tmp_path / "a.xlsx").write_text("这不是工作簿", encoding="utf-8")
    _refused(district, tmp_path / "a.xlsx", "不是 Excel 工作簿")
    (tmp_path / "b.xlsx").write_bytes(bytes(range(256)) * 50)
    _refused(district, tmp_path / "b.xlsx", "不是")
    _refused(district, _zip(tmp_path / "c.xlsx", {"hello.txt": "x"}), "xl/workbook.xml")
    (tmp_path / "d.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    _refused(district, tmp_path / "d.xlsx", "不是")


def test_entities(district, tmp_path):
    evil = ('<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>')
    _refused(district, _zip(tmp_path / "e.xlsx", {**MINIMAL, "xl/workbook.xml": evil}), "实体")


def test_zip_bomb(district, tmp_path):
    big = b"<a>" + b"0" * (120 * 1024 * 1024) + b"</a>"
    path = _zip(tmp_path / "bomb.xlsx", {**MINIMAL, "xl/worksheets/sheet1.xml": big})
    assert path.stat().st_size < 1024 * 1024
    _refused(district, path, "上限")


def test_zip_bomb_lying_header_under_small_bound(district, tmp_path):
    path = _zip(tmp_path / "b2.xlsx", {**MINIMAL, "xl/worksheets/sheet1.xml": b"<a>" + b"1" * (3 * 1024 * 1024) + b"</a>"})
    r = district(["import", path, "--unit", "杨村"], env={"ZZ_MAX_UNPACKED_MB": "1"})
    assert r.exit_code == 1 and "上限" in r.stderr


def test_password_protected(district, tmp_path):
    # An encrypted OOXML file is an OLE container holding EncryptionInfo and EncryptedPackage streams.
    blob = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64 \
        + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2048
    path = tmp_path / "加密.xlsx"
    path.write_bytes(blob)
    _refused(district, path, "密码")


def test_missing_file_and_binary_csv(district, tmp_path):
    _refused(district, tmp_path / "没有.xlsx", "不存在")
    (tmp_path / "x.csv").write_bytes(b"\x00\x01\x02" * 100)
    _refused(district, tmp_path / "x.csv", "CSV")


def test_hostile_file_in_batch_does_not_stop_good_ones(district, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("序号,整治重点,问题描述,发现日期\n1,效能意识,审批慢,2017-04-01\n", encoding="utf-8")
    bad = tmp_path / "bad.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    r = district(["import", bad, good, "--unit", "杨村", "--json"])
    assert r.exit_code == 1
    assert len(district.json("issue list")) == 1

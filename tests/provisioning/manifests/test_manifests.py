"""Manifests: CSV and YAML; a bad row is reported with its row number and reason, good rows proceed."""

from __future__ import annotations

from smartcommune.provisioning.manifests.parse import parse

CSV = """code,slug,template,admin_name,admin_phone,admin_email,cameras,devices
18871,dong-son,base,Nguyễn Thị Hoa,0911000001,hoa@dongson.gov.vn,,
abc,x,base,Ai Đó,,,,
19009,ba-don,khong-co-mau,Trần Văn Hải,,,,
18904,dan-hoa,hydroponics,Lê Văn Nam,,,"CAMS","DEVS"
18880,dong-hoi,base,Lê Văn Tư,,,"[not json",
""".replace("CAMS", '[{""name"": ""Cổng"", ""stream_url"": ""rtsp://10.0.0.5/live""}]').replace(
    "DEVS", '[{""uid"": ""t1"", ""serial"": ""S1"", ""name"": ""Tưới"", ""profile"": ""bo-tuoi""}]'
)

YAML = """
communes:
  - code: 18871
    admin: {name: "Nguyễn Thị Hoa", email: hoa@dongson.gov.vn}
    devices:
      - {uid: tram-1, serial: S-1, name: "Trạm khí tượng", profile: tram-khi-tuong}
  - code: 18871
  - code: 19009
    template: ward-urban
    mystery: 1
  - just a string
"""


def test_csv_rows_with_numbers_and_reasons() -> None:
    m = parse(CSV, fmt="csv")
    assert [s.commune_code for s in m.specs] == [18871, 18904]
    assert m.rows == [2, 5]
    reasons = {r.row: r.reason for r in m.rejected}
    assert set(reasons) == {3, 4, 6}
    assert "invalid literal" in reasons[3] or "code" in reasons[3]
    assert "unknown template 'khong-co-mau'" in reasons[4]
    assert "invalid JSON" in reasons[6]
    hydro = m.specs[1]
    assert hydro.template == "hydroponics" and hydro.cameras[0].stream_url == "rtsp://10.0.0.5/live"
    assert hydro.devices[0].profile == "bo-tuoi"
    assert m.specs[0].admin is not None and m.specs[0].admin.email == "hoa@dongson.gov.vn"


def test_yaml_rows() -> None:
    m = parse(YAML, fmt="yaml", default_template="coastal")
    assert [s.commune_code for s in m.specs] == [18871]
    assert m.specs[0].template == "coastal" and m.specs[0].devices[0].uid == "tram-1"
    reasons = {r.row: r.reason for r in m.rejected}
    assert "already in row 1" in reasons[2]
    assert "unknown columns: mystery" in reasons[3]
    assert "mapping" in reasons[4]

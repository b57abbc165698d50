"""``postguard screen`` end to end through ``main([...])`` with the real embedded pipeline (rules only)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from postguard.cli import main

pytestmark = pytest.mark.unit

CLEAN = "Great turnout at today's hand-hygiene workshop! Thanks to all our nurses."
RISKY = "My patient John Smith, 92, from Springfield was admitted 3/4 with chest pain."


def post(post_id: str, text: str, institution: str = "demo-hospital", **extra: str) -> str:
    return json.dumps(
        {"post_id": post_id, "institution_id": institution, "platform": "x", "text": text, **extra}
    )


def run(tmp_path: Path, lines: list[str], *extra: str) -> tuple[int, list[dict]]:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["screen", "--input", str(src), "--output", str(out), "--no-models", *extra])
    if "table" in extra or not out.exists():
        return code, []
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    return code, records


def test_jsonl_out_has_one_decision_per_post_with_the_documented_fields(tmp_path: Path) -> None:
    code, records = run(tmp_path, [post("a", CLEAN), post("b", RISKY)])
    assert code == 0
    assert [r["post_id"] for r in records] == ["a", "b"]
    clean, risky = records
    assert clean["verdict"] == "ALLOW" and clean["redacted_text"] == CLEAN and clean["findings"] == []
    assert risky["verdict"] in ("BLOCK", "REVIEW")
    assert risky["reasons"] and risky["policy"] == {"id": "default", "version": risky["policy"]["version"]}
    for finding in risky["findings"]:
        assert {"category", "label", "start", "end", "confidence", "reason"} <= finding.keys()
        assert finding["category"] in ("IDENTIFIER", "CONTENT")
    assert "John Smith" not in risky["redacted_text"]


def test_malformed_line_gives_error_record_and_exit_1_while_others_are_decided(tmp_path: Path) -> None:
    lines = [
        post("a", CLEAN),
        '{"post_id": "broken", "text": ',  # bad JSON
        post("c", "   "),  # empty text
        post("d", CLEAN, institution="nowhere-general"),  # unknown institution
        json.dumps({"post_id": "e", "institution_id": "demo-hospital", "platform": "myspace", "text": "hi"}),
        json.dumps(["not", "an", "object"]),
        "",  # blank lines are skipped, not errors
        post("g", CLEAN),
    ]
    code, records = run(tmp_path, lines)
    assert code == 1
    assert [r.get("post_id") for r in records] == ["a", None, "c", "d", "e", None, "g"]
    assert [r.get("line") for r in records] == [None, 2, 3, 4, 5, 6, None]
    assert records[0]["verdict"] == "ALLOW" and records[-1]["verdict"] == "ALLOW"
    assert "not valid JSON" in records[1]["error"]
    assert "text" in records[2]["error"]
    assert "unknown institution 'nowhere-general'" in records[3]["error"]
    assert "platform" in records[4]["error"]
    assert "JSON object" in records[5]["error"]


def test_error_records_never_quote_post_text(tmp_path: Path) -> None:
    secret = "Zebulon Quartermaine MRN 99881"
    lines = [
        json.dumps({"post_id": "x1", "institution_id": "demo-hospital", "platform": "bad", "text": secret}),
        json.dumps(
            {"post_id": "x2", "institution_id": "demo-hospital", "platform": "x", "text": secret * 1000}
        ),
        '{"post_id": "x3", "text": "' + secret + '" oops}',
    ]
    code, records = run(tmp_path, lines)
    assert code == 1 and len(records) == 3
    assert all("error" in r and "Zebulon" not in r["error"] for r in records)


def test_order_is_kept_across_batches_and_errors(tmp_path: Path) -> None:
    lines = [post(f"p{i}", CLEAN) if i % 7 else "{bad" for i in range(1, 60)]
    code, records = run(tmp_path, lines, "--batch-size", "4")
    assert code == 1
    assert len(records) == 59
    for i, record in enumerate(records, start=1):
        assert record.get("post_id") == (f"p{i}" if i % 7 else None)
        if not i % 7:
            assert record["line"] == i


def test_text_option_screens_one_post(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--no-models", "--text", CLEAN]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    record = json.loads(line)
    assert record["verdict"] == "ALLOW" and record["post_id"] == "cli-1"


def test_text_option_with_patient_identifiers_is_held(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--no-models", "--text", RISKY, "--post-id", "t1"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["verdict"] in ("BLOCK", "REVIEW") and record["post_id"] == "t1"


def test_stdin_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(post("s1", CLEAN) + "\n"))
    assert main(["screen", "--no-models", "--input", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["post_id"] == "s1"


def test_table_format_is_readable_in_100_columns(tmp_path: Path) -> None:
    code, _ = run(tmp_path, [post("a", CLEAN), post("b", RISKY), "{bad"], "--format", "table")
    assert code == 1
    text = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert lines[0].split() == ["POST", "VERDICT", "FINDINGS"]
    assert any(line.startswith("a ") and "ALLOW" in line for line in lines)
    assert any(line.startswith("b ") and ("BLOCK" in line or "REVIEW" in line) for line in lines)
    assert any("ERROR" in line and "line 3" in line for line in lines)
    assert lines[-1].startswith("3 lines: 1 ALLOW") and lines[-1].endswith("1 error")


def test_progress_bar_goes_to_stderr_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, records = run(tmp_path, [post(f"p{i}", CLEAN) for i in range(5)], "--progress")
    assert code == 0 and len(records) == 5
    assert "screening" in capsys.readouterr().err


def test_bundled_samples_screen_without_errors(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parents[3] / "samples" / "posts.jsonl"
    out = tmp_path / "out.jsonl"
    assert main(["screen", "--input", str(samples), "--output", str(out), "--no-models"]) == 0
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 30 and all("verdict" in r for r in records)
    assert {r["verdict"] for r in records} >= {"ALLOW", "REVIEW", "BLOCK"}


@pytest.mark.parametrize(
    "argv",
    [
        ["screen", "--format", "html"],
        ["screen", "--input", "/nonexistent/posts.jsonl"],
        ["screen", "--text", "hi", "--input", "x.jsonl"],
        ["screen", "--text", "hi", "--via", "http://localhost:1"],
        ["screen", "--text", "hi", "--batch-size", "0"],
        ["bogus"],
        [],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert capsys.readouterr().err


def test_invalid_policy_dir_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.yaml").write_text(
        "policy_id: x\nversion: '1'\ninstitutions: [a]\nidentifiers: {DATE: blokc}\n"
    )
    assert main(["screen", "--text", "hi", "--policy-dir", str(tmp_path), "--no-models"]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:4: unknown action 'blokc'" in err


def test_policy_dir_applies_a_custom_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p.yaml").write_text("policy_id: custom\nversion: '7'\ninstitutions: [demo-hospital]\n")
    assert main(["screen", "--text", CLEAN, "--policy-dir", str(tmp_path), "--no-models"]) == 0
    assert json.loads(capsys.readouterr().out)["policy"] == {"id": "custom", "version": "7"}


def test_via_unreachable_stack_gives_error_records_per_post(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(post("a", CLEAN) + "\n{bad\n" + post("c", CLEAN) + "\n", encoding="utf-8")
    # port 1 on loopback: nothing listens, every post fails fast with UNAVAILABLE
    assert main(["screen", "--input", str(src), "--output", str(out), "--via", "grpc://127.0.0.1:1"]) == 1
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert records[0]["error"].startswith("screening failed") and records[0]["post_id"] == "a"
    assert "not valid JSON" in records[1]["error"]


def test_raw_bytes_edge_cases_bad_utf8_crlf_bom_and_u2028(tmp_path: Path) -> None:
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    good_a = post("a", "Staff picnic\u2028on Friday").encode()  # U+2028 is legal inside a JSON string
    bad_b = post("b", "cafX").encode().replace(b"cafX", b"caf\xff")
    good_c = post("c", CLEAN).encode()
    src.write_bytes(b"\xef\xbb\xbf" + good_a + b"\r\n" + bad_b + b"\r\n" + good_c + b"\r\n")
    assert main(["screen", "--input", str(src), "--output", str(out), "--no-models"]) == 1
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r.get("post_id") for r in records] == ["a", "b", "c"]
    assert records[0]["redacted_text"] == "Staff picnic\u2028on Friday"
    assert records[1] == {"line": 2, "error": records[1]["error"], "post_id": "b"}
    assert "not valid UTF-8" in records[1]["error"]

"""The benchmarks are run by hand, so nothing else notices when a change breaks them (the missing --db
refusal did: every benchmark that made a fresh register without `zz init` died at its first command).
Each runs here at a tiny size: it must finish and print its figures."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

CASES = {
    "bench_import.py": ["--rows", "300", "--repeat", "1"],
    "bench_export.py": ["--rows", "300", "--repeat", "1"],
    "bench_undo.py": ["--rows", "300", "--repeat", "1"],
    "bench_evidence.py": ["--files", "5", "--mb", "0.01", "--batch", "5"],
}


@pytest.mark.parametrize("script", sorted(CASES))
def test_benchmark_runs_small(script, tmp_path):
    if os.environ.get("ZZ_TEST_BACKEND", "sqlite") != "sqlite":
        pytest.skip("the benchmarks make SQLite registers of their own")
    args = list(CASES[script])
    if "--repeat" in args:
        args += ["--tmp", str(tmp_path)]
    out = subprocess.run([sys.executable, str(BENCH / script), *args], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout.strip()
    assert json.loads(text[text.index("{"):]), text

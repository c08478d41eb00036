"""Benchmark of the analysis/ estimator: ``.venv/bin/python benchmarks/estimator.py``.

Makes a survey file of 1,000,000 respondents (14 strata, 2,000 PSUs, 6 domains, 4 raking
margins, and a ``village`` column of 100,000 levels), then reports time and peak memory

* for the whole command line (``python -m analysis estimate ... --rake ... --by domain``,
  reading the CSV included), measured on a child process (wall clock, max RSS), and the same
  with ``--by village`` (100,000 domains, with and without raking);
* for the core functions after loading: estimate + linearised SE + 6 domains, raking, 100
  bootstrap replicates, and the 100,000 village domains (linearised, after raking, and with
  100 bootstrap replicates) (time, and peak of numpy/Python allocations by tracemalloc);

and, when ``Rscript`` and ``benchmarks/estimator.R`` exist, runs the same work in R on the
same files and prints the ratios.  Targets: estimate + SE + 6 domains <= 1 s after loading,
raking <= 1 s, peak memory <= 600 MB, whole command >= 10x faster than R; 100,000 domains
cost rows + levels (a few seconds), not rows x levels.  ``--skip-r`` leaves R out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_ROWS = 1_000_000
N_STRATA = 14
N_PSU = 2_000
GROUPS = ["g1", "g2", "g3", "g4", "g5", "g6"]
N_VILLAGES = 100_000


def make_data(directory: Path, n: int = N_ROWS, seed: int = 20250101) -> tuple[Path, Path]:
    """Write the synthetic survey and its raking margins; returns (data, margins) paths."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    psu_stratum = np.sort(rng.integers(0, N_STRATA, N_PSU))
    psu_stratum[:N_STRATA] = np.arange(N_STRATA)  # every stratum has PSUs
    psu_stratum.sort()
    psu = np.sort(rng.integers(0, N_PSU, n))
    stratum = psu_stratum[psu]
    psu_effect = rng.normal(0, 0.6, N_PSU)[psu]
    sex = rng.choice(["F", "M"], n, p=[0.56, 0.44])
    age = rng.choice(["18-29", "30-44", "45-59", "60-69"], n, p=[0.15, 0.25, 0.3, 0.3])
    urban = np.where(rng.random(n) < 0.6, "urban", "rural")
    edu = rng.choice(["primary", "secondary", "tertiary"], n, p=[0.4, 0.4, 0.2])
    group = rng.choice(GROUPS, n)
    lp = -1.6 + 0.6 * (edu == "tertiary") + 0.3 * (urban == "urban") + psu_effect
    meets = (rng.random(n) < 1 / (1 + np.exp(-lp))).astype(np.int8)
    score = np.round(np.clip(50 + 20 * meets + 8 * psu_effect + rng.normal(0, 10, n), 0, 100), 2)
    weight = np.round((1000 + 200 * stratum) * np.exp(rng.normal(0, 0.3, n)), 4)
    village = np.char.add("v", rng.integers(0, N_VILLAGES, n).astype(str))  # drawn last
    table = pa.table(
        {
            "id": np.arange(1, n + 1),
            "stratum": np.char.add("S", stratum.astype(str)),
            "psu": psu - np.searchsorted(psu_stratum, stratum) + 1,  # PSU ids repeat across strata
            "weight": weight,
            "meets": meets,
            "score": score,
            "sex": sex,
            "age_band": age,
            "urban": urban,
            "education": edu,
            "domain": group,
            "village": village,
        }
    )
    data = directory / "survey_1m.csv"
    pacsv.write_csv(table, data, pacsv.WriteOptions(quoting_style="none"))
    total = round(float(weight.sum()) * 1.05)
    shares = {
        "sex": {"F": 0.505, "M": 0.495},
        "age_band": {"18-29": 0.28, "30-44": 0.30, "45-59": 0.25, "60-69": 0.17},
        "urban": {"rural": 0.38, "urban": 0.62},
        "education": {"primary": 0.30, "secondary": 0.45, "tertiary": 0.25},
    }
    lines = ["variable,level,population_total"]
    for var, levels in shares.items():
        tots = [round(total * s) for s in levels.values()]
        tots[-1] = total - sum(tots[:-1])
        lines += [f"{var},{lev},{t}" for lev, t in zip(levels, tots, strict=True)]
    margins = directory / "margins.csv"
    margins.write_text("\n".join(lines) + "\n")
    return data, margins


def run_measured(cmd: list[str]) -> tuple[float, float, str]:
    """Run a command; returns (wall seconds, peak RSS of that child in MB, stdout)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err.read()}")
        return wall, usage.ru_maxrss / 1024, out.read()


def timed(fn, repeat: int = 3):  # noqa: ANN001, ANN201
    """Best wall time of ``repeat`` runs and the tracemalloc peak (MB) of one run."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=N_ROWS)
    parser.add_argument("--keep", metavar="DIR", help="write the files here and keep them")
    parser.add_argument("--make-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-r", action="store_true", help="do not run the R comparison")
    args = parser.parse_args()
    if args.make_only:  # the child that writes the files (see below)
        make_data(Path(args.keep), args.rows)
        return

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kexue-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        # made in a child process: a forked child's peak RSS (ru_maxrss) starts from the
        # parent's, so a parent holding the generated table would inflate every CLI figure
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--make-only",
                "--rows",
                str(args.rows),
                "--keep",
                str(workdir),
            ],
            check=True,
        )
        data, margins = workdir / "survey_1m.csv", workdir / "margins.csv"
        print(
            f"data: {args.rows:,} rows, {N_STRATA} strata, {N_PSU} PSUs, {len(GROUPS)} domains, "
            f"{N_VILLAGES:,} villages, 4 margins ({data.stat().st_size / 2**20:.0f} MB CSV, "
            "made in "
            f"{time.perf_counter() - t0:.1f} s)"
        )
        py = sys.executable
        cli = [
            py,
            "-m",
            "analysis",
            "estimate",
            str(data),
            "--indicator",
            "meets",
            "--weight",
            "weight",
            "--strata",
            "stratum",
            "--psu",
            "psu",
            "--by",
            "domain",
            "--rake",
            str(margins),
            "--format",
            "json",
        ]
        env_cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            run_measured(cli)  # warm the page cache
            cli_s, cli_mb, out = min(run_measured(cli) for _ in range(3))
            plain = [c for c in cli if c not in ("--rake", str(margins))]
            plain_s, plain_mb, _ = min(run_measured(plain) for _ in range(3))
            boot = plain + ["--replicates", "bootstrap", "--n-replicates", "100"]
            boot_s, boot_mb, _ = min(run_measured(boot) for _ in range(2))
            villages = ["village" if c == "domain" else c for c in plain]
            vil_s, vil_mb, vil_out = run_measured(villages)
            vil_rake_s, vil_rake_mb, _ = run_measured(villages + ["--rake", str(margins)])
            rk = [
                py,
                "-m",
                "analysis",
                "rake",
                str(data),
                "--weight",
                "weight",
                "--rake",
                str(margins),
                "--out",
                str(workdir / "raked.csv"),
            ]
            rake_cli_s, rake_cli_mb, _ = run_measured(rk)
            # start-up: the same command on every 1000th row (imports and set-up dominate)
            small = workdir / "survey_small.csv"
            with data.open() as src:
                lines = [next(src)] + [line for i, line in enumerate(src) if i % 1000 == 0]
            small.write_text("".join(lines))
            tiny = [str(small) if c == str(data) else c for c in plain]
            tiny += ["--lonely-psu", "adjust"]
            start_s, start_mb, _ = min(run_measured(tiny) for _ in range(5))
        finally:
            os.chdir(env_cwd)
        res = json.loads(out)
        print("\nwhole command line (wall clock, peak RSS of the process):")
        print(
            f"  estimate --rake --by domain (6 domains): {cli_s:6.2f} s  {cli_mb:6.0f} MB   "
            f"share {res['estimate']:.4f} SE {res['se']:.5f} verdict {res['verdict']}"
        )
        print(f"  estimate --by domain, no raking:         {plain_s:6.2f} s  {plain_mb:6.0f} MB")
        print(f"  estimate --replicates bootstrap (100):  {boot_s:6.2f} s  {boot_mb:6.0f} MB")
        n_vil = len(json.loads(vil_out)["by"]["village"])
        print(f"  estimate --by village ({n_vil:,} domains): {vil_s:6.2f} s  {vil_mb:6.0f} MB")
        print(
            f"  the same, --rake:                        {vil_rake_s:6.2f} s  "
            f"{vil_rake_mb:6.0f} MB"
        )
        print(
            f"  rake FILE --out OUT.csv:                {rake_cli_s:6.2f} s  {rake_cli_mb:6.0f} MB"
        )
        print(f"  start-up (same, 1,000 rows):            {start_s:6.2f} s  {start_mb:6.0f} MB")

        import analysis as A
        from analysis.io import read_columns, read_margins
        from analysis.replicates import bootstrap

        margin_dict = read_margins(str(margins))
        t0 = time.perf_counter()
        cols, _ = read_columns(
            str(data),
            numeric=["weight", "meets"],
            categorical=["stratum", "psu", "domain", "village", *margin_dict],
        )
        load_s = time.perf_counter() - t0
        design = A.svydesign(cols["weight"], strata=cols["stratum"], psu=cols["psu"])
        y = cols["meets"]
        factors = {v: cols[v] for v in margin_dict}

        def estimate_domains() -> list:
            overall = A.proportion(design, y)
            return [overall, *A.by(design, y, [cols["domain"]], ["domain"])]

        def raking() -> A.Design:
            return A.rake(design, factors, margin_dict)

        raked = raking()

        def raked_estimate() -> list:
            return [A.proportion(raked, y), *A.by(raked, y, [cols["domain"]], ["domain"])]

        def boot100() -> A.Estimate:
            rd = bootstrap(design, 100, rng=np.random.default_rng(1))
            return A.proportion(rd, y)

        def village_domains() -> list:
            return A.by(design, y, [cols["village"]], ["village"])

        def raked_villages() -> list:
            return A.by(raked, y, [cols["village"]], ["village"])

        boot_design = bootstrap(design, 100, rng=np.random.default_rng(1))

        def boot_villages() -> list:
            return A.by(boot_design, y, [cols["village"]], ["village"])

        est_s, est_mb, _ = timed(estimate_domains)
        rake_s, rake_mb, _ = timed(raking)
        rest_s, rest_mb, _ = timed(raked_estimate)
        boot_core_s, boot_core_mb, _ = timed(boot100)
        vil_core_s, vil_core_mb, _ = timed(village_domains, repeat=2)
        vilr_core_s, vilr_core_mb, _ = timed(raked_villages, repeat=2)
        vilb_core_s, vilb_core_mb, _ = timed(boot_villages, repeat=1)
        print("\ncore functions after loading (best of 3; peak traced allocations):")
        print(f"  read CSV (9 columns, pyarrow):           {load_s:6.3f} s")
        print(f"  estimate + SE + 6 domains:               {est_s:6.3f} s  {est_mb:6.0f} MB")
        print(f"  raking (4 margins, to 1e-10):            {rake_s:6.3f} s  {rake_mb:6.0f} MB")
        print(f"  estimate + SE + 6 domains after raking:  {rest_s:6.3f} s  {rest_mb:6.0f} MB")
        print(
            f"  100 bootstrap replicates + estimate:     {boot_core_s:6.3f} s  "
            f"{boot_core_mb:6.0f} MB"
        )
        print(f"  {N_VILLAGES:,} village domains:               {vil_core_s:6.3f} s  "
              f"{vil_core_mb:6.0f} MB")
        print(f"  {N_VILLAGES:,} village domains after raking:  {vilr_core_s:6.3f} s  "
              f"{vilr_core_mb:6.0f} MB")
        print(f"  {N_VILLAGES:,} village domains, 100 bootstrap replicates: "
              f"{vilb_core_s:6.3f} s  {vilb_core_mb:6.0f} MB")

        script = ROOT / "benchmarks" / "estimator.R"
        if args.skip_r:
            print("\n(R comparison skipped: --skip-r)")
        elif shutil.which("Rscript") and script.exists():
            print("\nR (survey package) on the same files ...", flush=True)
            r_wall, r_mb, r_out = run_measured(["Rscript", str(script), str(data), str(margins)])
            r = json.loads(r_out.strip().splitlines()[-1])
            print(
                f"  R: read {r['read_s']:.2f} s, estimate {r['estimate_s']:.2f} s, rake "
                f"{r['rake_s']:.2f} s, total {r['total_s']:.2f} s (process {r_wall:.1f} s, "
                f"{r_mb:.0f} MB)"
            )
            print("ratios (R / Python):")
            print(
                f"  whole command incl. reading: {r_wall / cli_s:6.1f}x "
                f"(R total_s vs our CLI: {r['total_s'] / cli_s:.1f}x)"
            )
            print(f"  estimate + SE + domains:     {r['estimate_s'] / est_s:6.1f}x")
            print(f"  raking:                      {r['rake_s'] / rake_s:6.1f}x")
        else:
            print("\n(R comparison skipped: Rscript or benchmarks/estimator.R not found)")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

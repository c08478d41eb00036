"""Student's t without scipy (analysis.tdist): equal to scipy.special's stdtr/stdtrit to 1e-12
relative over a grid of degrees of freedom and probabilities, and the command line's default
path never imports scipy (about 0.3 s of start-up)."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from scipy.special import ndtr, ndtri, stdtr, stdtrit

from analysis import tdist
from analysis.intervals import proportion_interval, t_cdf, t_quantile

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
# every df from 1 to 40, then the sizes designs have (PSUs - strata), up to a million-row SRS
DFS = list(range(1, 41)) + [
    49, 50, 51, 52, 99, 100, 101, 197, 250, 499, 500, 1000, 1986, 4999, 10_000, 65_537,
    100_000, 999_999, 10**7, 10**9,
]  # fmt: skip
PROBS = [
    1e-100, 1e-30, 1e-12, 1e-8, 1e-6, 1e-4, 5e-4, 1e-3, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2,
    0.25, 0.3, 0.4, 0.45, 0.49, 0.499, 0.5, 0.501, 0.51, 0.55, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95,
    0.975, 0.99, 0.995, 0.999, 0.9995, 1 - 1e-4, 1 - 1e-6, 1 - 1e-8, 1 - 1e-12,
]  # fmt: skip
TS = [
    0.0, 1e-8, 0.001, 0.1, 0.5, 1.0, 1.5, 1.7, 1.75, 1.96, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0,
    20.0, 40.0, 100.0, 1e3, 1e6, 1e20,
]  # fmt: skip
REL = 1e-12


def _rel(got: float, want: float) -> float:
    if got == want:
        return 0.0
    return abs(got - want) / abs(want)


def test_quantile_equals_scipy_stdtrit_to_1e_12() -> None:
    for df, p in itertools.product(DFS, PROBS):
        got, want = tdist.quantile(p, df), float(stdtrit(df, p))
        if abs(want) < 0.01:
            # within 0.004 of the median: absolute (scipy's own relative error reaches 2e-11
            # there, e.g. df = 4, p = 0.499; the exact df = 2 check below covers this region)
            assert abs(got - want) <= REL, (df, p, got, want)
        else:
            assert _rel(got, want) <= REL, (df, p, got, want)
        assert t_quantile(p, df) == got


def test_cdf_equals_scipy_stdtr_to_1e_12() -> None:
    for df, t in itertools.product(DFS, TS + [-t for t in TS]):
        got = tdist.cdf(t, df)
        # df = 1 is Cauchy: scipy's stdtr(1, 1e-8) is off by 3e-9, the closed form is exact
        want = math.atan2(1.0, -t) / math.pi if df == 1 else float(stdtr(df, t))
        if want < 1e-290:  # scipy underflows before the true tail does
            assert got < 1e-280
            continue
        assert _rel(got, want) <= REL, (df, t, got, want)
        assert t_cdf(t, df) == got


def test_df_2_against_the_closed_form_in_50_digits() -> None:
    """F(t) = 1/2 + t / (2 sqrt(2 + t^2)); Q(p) = (2p - 1) / sqrt(2 p (1 - p))."""
    with localcontext() as ctx:
        ctx.prec = 50
        for p in PROBS + [0.4999, 0.49999999]:
            dp = Decimal(p)
            want = (2 * dp - 1) / (2 * dp * (1 - dp)).sqrt()
            got = Decimal(tdist.quantile(p, 2))
            assert abs(got - want) <= Decimal("1e-14") * max(abs(want), Decimal(1e-300)), p
        for t in TS + [-t for t in TS[:-1]]:
            dt = Decimal(t)
            want = Decimal("0.5") + dt / (2 * (2 + dt * dt).sqrt())
            got = Decimal(tdist.cdf(t, 2))
            assert abs(got - want) <= Decimal("1e-14") * want, t


def test_df_4_quantile_solves_the_closed_form_cdf_in_50_digits() -> None:
    """F(t) = 1/2 + 3/8 v (1 - t^2 / (12 (1 + t^2/4))), v = t / sqrt(1 + t^2/4): the
    quantile's residual F(q) - p is at rounding level, also next to the median (where
    scipy's stdtrit is off by up to 1.6e-13 of the probability at p = 0.4999)."""
    with localcontext() as ctx:
        ctx.prec = 50
        for p in PROBS[2:] + [0.4999, 0.49999999]:
            t = Decimal(tdist.quantile(p, 4))
            u = 1 + t * t / 4
            cdf = Decimal("0.5") + Decimal(3) / 8 * (t / u.sqrt()) * (1 - t * t / (12 * u))
            slope = Decimal(3) / 8  # the density is at most f(0) = 3/8
            # |q - q_exact| = |F(q) - p| / f(q) <= 1e-14 |q|
            assert abs(cdf - Decimal(p)) <= Decimal("1e-14") * abs(t) * slope / (
                u ** Decimal(2.5)
            ), p


def test_cdf_near_zero_against_the_density_at_zero() -> None:
    """For |t| <= 1e-6, F(t) = 1/2 + f(0) t to 1e-13 of the deviation (f(0) from lgamma)."""
    for df in DFS:
        f0 = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
        for t in (1e-8, 1e-6, -1e-7):
            assert tdist.cdf(t, df) - 0.5 == pytest.approx(f0 * t, rel=1e-6)


def test_quantile_inverts_the_cdf_and_is_monotone() -> None:
    for df in (1, 2, 3, 7, 52, 1986, 10**6):
        previous = -math.inf
        for p in PROBS:
            q = tdist.quantile(p, df)
            assert q > previous
            previous = q
            if 1e-8 <= p <= 1 - 1e-8:
                assert tdist.cdf(q, df) == pytest.approx(p, rel=1e-12)


def test_edges() -> None:
    assert tdist.quantile(0.0, 5) == -math.inf and tdist.quantile(1.0, 5) == math.inf
    assert math.isnan(tdist.quantile(math.nan, 5)) and math.isnan(tdist.quantile(1.5, 5))
    assert tdist.cdf(math.inf, 5) == 1.0 and tdist.cdf(-math.inf, 5) == 0.0
    assert tdist.cdf(0.0, 5) == 0.5 and math.isnan(tdist.cdf(math.nan, 5))
    assert tdist.is_whole_df(52) and tdist.is_whole_df(52.0)
    assert (
        not tdist.is_whole_df(52.5) and not tdist.is_whole_df(0) and not tdist.is_whole_df(math.inf)
    )
    assert math.isnan(t_quantile(0.975, 0)) and math.isnan(t_quantile(0.975, -3))


def test_infinite_df_is_the_normal_distribution() -> None:
    for p in PROBS:
        assert _rel(t_quantile(p, math.inf), float(ndtri(p))) <= REL or p == 0.5
    assert t_quantile(0.5, math.inf) == 0.0
    for t in TS + [-t for t in TS]:
        want = float(ndtr(t))
        if want > 1e-290:
            assert _rel(t_cdf(t, math.inf), want) <= REL


def test_fractional_df_still_uses_scipy() -> None:
    for df in (0.5, 2.5, 52.25):
        assert t_quantile(0.975, df) == float(stdtrit(df, 0.975))
        assert t_cdf(-2.0, df) == float(stdtr(df, -2.0))


def test_intervals_use_the_same_quantile() -> None:
    q = float(stdtrit(52, 0.975))
    lo, hi = proportion_interval(0.2, 0.01, 52, "wald")
    assert lo == pytest.approx(0.2 - q * 0.01, rel=1e-13)
    assert hi == pytest.approx(0.2 + q * 0.01, rel=1e-13)


def _modules_after(args: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from analysis.cli import main\n"
        f"code = main({args!r})\n"
        "assert code == 0, code\n"
        "sys.stderr.write(' '.join(sorted(m for m in sys.modules if m.startswith(('scipy', "
        "'pyarrow.compute')))) + '\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(proc.stderr.split())


BASE = [
    "estimate",
    str(FIXTURES / "synthetic.csv"),
    "--indicator",
    "meets",
    "--weight",
    "weight",
    "--strata",
    "stratum",
    "--psu",
    "psu",
    "--lonely-psu",
    "adjust",
    "--by",
    "group",
    "--format",
    "json",
]


def test_default_command_imports_neither_scipy_nor_pyarrow_compute() -> None:
    raked = BASE + ["--rake", str(FIXTURES / "synthetic_margins.csv")]
    for args in (BASE, raked, BASE + ["--ci", "wilson"], BASE + ["--ci", "wald"]):
        assert _modules_after(args) == set(), args


def test_beta_interval_still_imports_scipy_special_lazily() -> None:
    assert "scipy.special" in _modules_after(BASE + ["--ci", "beta"])

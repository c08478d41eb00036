"""Student's t distribution function and quantile for whole-number degrees of freedom, in
plain Python (no scipy import: ``scipy.special`` alone costs about 0.3 s of start-up).

The design's degrees of freedom (PSUs - strata, R's ``degf``) are always whole numbers, so
the estimator needs t only there.  Both functions agree with ``scipy.special.stdtr`` and
``stdtrit`` to 1e-12 relative (``tests/analysis/test_tdist.py`` checks a grid of df from 1
to 10^9 and probabilities from 1e-100 to 1 - 1e-12; within 0.01 of the median the quantile is
compared absolutely, because there scipy is the less exact of the two, as closed forms for
df 2 and 4 in 50 digits show); :mod:`analysis.intervals` falls back to scipy for other df.

Method.  The upper tail is Q(t) = P(T > t) = I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2)
(Abramowitz & Stegun 26.7.1), the regularised incomplete beta evaluated by its continued
fraction (modified Lentz) on whichever side of the symmetry I_x(a, b) = 1 - I_{1-x}(b, a)
converges, so small tails keep full relative precision.  The front factor
x^a (1 - x)^b / (a B(a, b)) is built from log1p and the ratio Gamma(a + 1/2) / Gamma(a + 1),
taken as an exact product for a <= 50 and from the difference of two Stirling series above
(never from ``lgamma``, whose rounding at large df would cost digits).  The quantile starts
from Hill's (1970) approximation, as R's ``qt`` does, and is polished by second-order
Taylor (Halley-type) steps on Q.
"""

from __future__ import annotations

import math
from decimal import Context, Decimal, localcontext

_SQRT_PI = math.sqrt(math.pi)
_CONTEXT = Context(prec=40, Emin=-999999, Emax=999999)
_DEPS = Decimal("1e-30")
# Stirling: log Gamma(z) ~ (z - 1/2) log z - z + log(2 pi)/2 + sum_k c_k z^(1 - 2k)
_STIRLING = (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360)


class NotConverged(ArithmeticError):
    """The continued fraction or the quantile iteration did not converge."""


def is_whole_df(df: float) -> bool:
    """True for the df this module handles: a whole number >= 1 (finite)."""
    return math.isfinite(df) and df >= 1 and float(df).is_integer()


def _ratio(a: float) -> float:
    """Gamma(a + 1/2) / Gamma(a + 1) for a = nu/2, nu a positive whole number."""
    if a <= 50:
        if float(a).is_integer():  # Gamma(k + 1/2) / Gamma(k + 1), from k = 1: sqrt(pi)/2
            r, k = _SQRT_PI / 2, 1.0
        else:  # k = 1/2: Gamma(1) / Gamma(3/2) = 2 / sqrt(pi)
            r, k = 2 / _SQRT_PI, 0.5
        while k < a:
            r *= (k + 0.5) / (k + 1)
            k += 1
        return r
    # log Gamma(a + 1/2) - log Gamma(a + 1) from the two Stirling series
    u, v = a + 0.5, a + 1.0
    series = sum(c * (u ** (1 - 2 * k) - v ** (1 - 2 * k)) for k, c in enumerate(_STIRLING, 1))
    return math.exp(a * math.log1p(-0.5 / v) + 0.5 + series) / math.sqrt(v)


def _betacf(x: Decimal, a: float, b: float) -> float:
    """Continued fraction of I_x(a, b) (Numerical Recipes' betacf, modified Lentz), in
    40-digit decimal arithmetic: near x = 1 (large df) its terms cancel to many digits."""
    with localcontext(_CONTEXT):
        one = Decimal(1)
        tiny = Decimal("1e-300")
        da, db = Decimal(a), Decimal(b)
        qab, qap, qam = da + db, da + one, da - one
        c = one
        d = one - qab * x / qap
        d = one / (d if abs(d) > tiny else tiny)
        h = d
        limit = 1000 + 20 * int(math.sqrt(max(a, b)))
        for m in range(1, limit):
            m2 = 2 * m
            aa = m * (db - m) * x / ((qam + m2) * (da + m2))
            d = one + aa * d
            d = one / (d if abs(d) > tiny else tiny)
            c = one + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
            aa = -(da + m) * (qab + m) * x / ((da + m2) * (qap + m2))
            d = one + aa * d
            d = one / (d if abs(d) > tiny else tiny)
            c = one + aa / c
            c = c if abs(c) > tiny else tiny
            step = d * c
            h *= step
            if abs(step - one) < _DEPS:
                return float(h)
    raise NotConverged(f"incomplete beta continued fraction (a={a}, b={b}, x={x})")


def upper_tail(t: float, df: float) -> float:
    """P(T > t) for Student's t with whole-number ``df`` (R's ``pt(t, df, lower = FALSE)``)."""
    if math.isnan(t):
        return math.nan
    if t < 0:
        return 1.0 - upper_tail(-t, df)
    if t == 0:
        return 0.5
    if math.isinf(t):
        return 0.0
    tail, central = _tail(t, df)
    return tail if central is None else 0.5 * (1.0 - central)


def _tail(t: float, df: float) -> tuple[float, float | None]:
    """For t > 0: (P(T > t), None) when the tail is computed directly, or (nan, P(|T| < t))
    when the central part is (small t), so callers can avoid cancelling 1 - central."""
    a = df / 2.0
    s = t / math.sqrt(df)  # t^2 / nu = s^2
    if s < 1e150:
        s2 = s * s
        x = 1.0 / (1.0 + s2)  # nu / (nu + t^2)
        log_x = -math.log1p(s2)
        sqrt_y = s / math.sqrt(1.0 + s2)
    else:
        x, log_x, sqrt_y = 0.0, -2.0 * math.log(s), 1.0
    # x^a (1 - x)^(1/2) / (a B(a, 1/2)), with 1 / B(a, 1/2) = a Gamma(a+1/2) / Gamma(a+1) / sqrt(pi)
    front = math.exp(a * log_x) * sqrt_y * _ratio(a) / _SQRT_PI
    if front == 0.0:
        return 0.0, None
    with localcontext(_CONTEXT):  # x and y exactly enough for the continued fraction
        tt, nu = Decimal(t) ** 2, Decimal(df)
        dx, dy = (nu / (nu + tt), tt / (nu + tt)) if s < 1e150 else (Decimal(0), Decimal(1))
    if x < (a + 1.0) / (a + 2.5):  # the tail itself: I_x(a, 1/2) / 2
        return 0.5 * front * _betacf(dx, a, 0.5), None
    # the central part I_y(1/2, a) = P(|T| < t)
    return math.nan, 2.0 * a * front * _betacf(dy, 0.5, a)


def cdf(t: float, df: float) -> float:
    """P(T <= t) (R's ``pt(t, df)``), whole-number ``df``."""
    return upper_tail(-t, df)


def _density(t: float, df: float) -> float:
    a = df / 2.0
    s2 = t * t / df
    return a * _ratio(a) / math.sqrt(df * math.pi) * math.exp(-(a + 0.5) * math.log1p(s2))


def _hill_start(tail: float, df: float) -> float:
    """Hill (1970, CACM algorithm 396) approximation to the upper ``tail`` quantile, as
    R's ``qt`` uses it; ``tail`` in (0, 1/2)."""
    from statistics import NormalDist

    p2 = 2.0 * tail  # two-sided
    if df == 1:
        return 1.0 / math.tan(math.pi * tail)
    if df == 2:
        return math.sqrt(2.0 / (p2 * (2.0 - p2)) - 2.0)
    a = 1.0 / (df - 0.5)
    b = 48.0 / (a * a)
    c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36
    d = ((94.5 / (b + c) - 3.0) / b + 1.0) * math.sqrt(a * math.pi / 2) * df
    y = (d * p2) ** (2.0 / df)
    if y > 0.05 + a:
        x = NormalDist().inv_cdf(0.5 * p2)
        y = x * x
        if df < 5:
            c += 0.3 * (df - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x
        y = math.expm1(a * y * y)
        return math.sqrt(df * y)
    if y < 1e-300:
        return math.sqrt(df) * (d * p2) ** (-1.0 / df)
    y = (
        (1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0) + 0.5 / (df + 4.0))
        * y
        - 1.0
    ) * (df + 1.0) / (df + 2.0) + 1.0 / y
    return math.sqrt(df * y)


def quantile(p: float, df: float) -> float:
    """The t quantile (R's ``qt(p, df)``), whole-number ``df``; -inf / inf at p = 0 / 1."""
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        return math.nan
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    if p == 0.5:
        return 0.0
    tail = p if p < 0.5 else 1.0 - p  # exact for p >= 1/2
    sign = -1.0 if p < 0.5 else 1.0
    if df == 1:  # Cauchy: closed form, exact to rounding
        return sign / math.tan(math.pi * tail)
    q = _hill_start(tail, df)
    for _ in range(50):
        f = _density(q, df)
        if not f > 0:
            break
        tq, central = _tail(q, df)
        # Q(q) - tail; near the median as ((1 - 2 tail) - P(|T| < q)) / 2, where 1 - 2 tail
        # is exact, so a quantile close to 0 keeps its relative precision
        resid = tq - tail if central is None else 0.5 * ((1.0 - 2.0 * tail) - central)
        step = resid / f
        if not math.isfinite(step):
            break
        q += step * (1.0 + step * q * (df + 1.0) / (2.0 * (q * q + df)))
        if abs(step) <= 1e-14 * abs(q):
            return sign * q
    raise NotConverged(f"t quantile (p={p}, df={df})")

"""Certificates: who earns one, the code, the image (PNG with the code in its metadata) and the
public check (genuine, withdrawn, not found; nothing personal but the masked name)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from quizapp.engine import certificates
from quizapp.engine.attempts import void_attempt
from quizapp.extensions import db
from quizapp.models import Attempt, Certificate, Competition
from quizapp.shared.names import mask_name
from tests.competitions.answering import answer_all, right_or_wrong
from tests.support import csrf_token


def play(client, *, name="李小华", right: int = 6, phone="") -> Attempt:
    """Register, start and answer every question, ``right`` of them rightly; the attempt."""
    page = client.get("/competitions/test-cup")
    client.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": name, "township_id": "0",
        "organisation_id": "0", "phone": phone})
    page = client.get("/competitions/test-cup")
    started = client.post("/competitions/test-cup/start",
                          data={"csrf_token": csrf_token(page.text)})
    token = started.headers["Location"].rsplit("/", 1)[-1]
    return answer_all(client, token, f"/competitions/attempt/{token}",
                      f"/competitions/attempt/{token}/answer", right_or_wrong(right))


def _code(client, attempt) -> str:
    page = client.get(f"/competitions/attempt/{attempt.token}/certificate")
    assert page.status_code == 200
    return re.search(r'data-code="([0-9A-Z-]+)"', page.text).group(1)


# --- the rule, the code, the mask ------------------------------------------------------------

@pytest.mark.parametrize(("typed", "stored"), [
    ("K7Q2M-9XPRA", "K7Q2M9XPRA"), ("k7q2m 9xpra", "K7Q2M9XPRA"), (" K7Q2M9XPRA\n", "K7Q2M9XPRA"),
    ("O1IL0-00000", "0111000000"), ("K7Q2M-9XPR", None), ("K7Q2M-9XPRAB", None),
    ("K7Q2M-9XPRU", None), ("", None), (None, None), ("K7Q2M\x009XPRA", None),
])
def test_typed_codes_are_read_leniently(typed, stored):
    assert certificates.normalise_code(typed) == stored


def test_the_check_masks_names_by_the_boards_rule():
    """One rule for every published name (quizapp.shared.names, pinned in the board tests)."""
    from quizapp.competitions import certificate_routes

    assert certificate_routes.mask_name is mask_name


def test_codes_are_random_base32_not_sequential():
    codes = {certificates.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{10}", c) for c in codes)
    assert len({c[:5] for c in codes}) > 1900, "no shared prefix, as a counter would have"


def test_finished_and_expired_attempts_earn_one_open_and_voided_do_not(client, competition, now,
                                                                         make_user):
    attempt = play(client, right=0)
    assert attempt.status == "finished" and attempt.score == 0
    assert certificates.earns_certificate(attempt), "0 points: every finished attempt"
    other = client.application.test_client()
    page = other.get("/competitions/test-cup")
    other.post("/competitions/test-cup/register", data={
        "csrf_token": csrf_token(page.text), "name": "王五", "township_id": "0",
        "organisation_id": "0", "phone": ""})
    page = other.get("/competitions/test-cup")
    token = other.post("/competitions/test-cup/start", data={
        "csrf_token": csrf_token(page.text)}).headers["Location"].rsplit("/", 1)[-1]
    open_attempt = db.session.scalar(select(Attempt).where(Attempt.token == token))
    assert not certificates.earns_certificate(open_attempt)
    assert other.get(f"/competitions/attempt/{token}/certificate").status_code == 404
    now.move(hours=1)
    assert other.get(f"/competitions/attempt/{token}/result").status_code == 200
    db.session.refresh(open_attempt)
    assert open_attempt.status == "expired" and certificates.earns_certificate(open_attempt)
    void_attempt(open_attempt, "测试", make_user("judge", "admin").id)
    assert not certificates.earns_certificate(open_attempt)


def test_a_threshold_gives_certificates_from_that_score(client, competition):
    competition.certificate_min_score = 20.0  # 4 of 6 right
    db.session.commit()
    low = play(client, right=3)
    assert low.score == 15.0
    page = client.get(f"/competitions/attempt/{low.token}/certificate")
    assert page.status_code == 200 and 'data-test="no-certificate"' in page.text
    assert "20 分" in page.text
    assert client.get(f"/competitions/attempt/{low.token}/certificate.png").status_code == 404
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    high = play(client.application.test_client(), name="赵六", right=4)
    assert high.score == 20.0 and certificates.certificate_of(high) is not None


def test_one_certificate_per_attempt_whoever_asks_first(client, competition):
    attempt = play(client)
    first = certificates.certificate_of(attempt)
    assert certificates.certificate_of(attempt).code == first.code
    # A second request issuing at the same moment loses the race and gets the same one.
    assert certificates._issue(attempt).code == first.code
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_what_the_certificate_says_is_fixed_when_issued(client, competition):
    attempt = play(client, right=5)
    certificate = certificates.certificate_of(attempt)
    competition.title = "改过名的竞赛"
    attempt.participant.name = "改名"
    db.session.commit()
    check = client.get(f"/c/{certificate.display_code}").text
    assert "测试竞赛" in check and "李*华" in check and "改" not in check
    assert (certificate.score, certificate.max_score) == (25.0, 30.0)


# --- the owner's pages and the image ---------------------------------------------------------

def test_the_certificate_page_shows_it_with_its_code_image_and_check(client, competition):
    attempt = play(client)
    page = client.get(f"/competitions/attempt/{attempt.token}/certificate").text
    code = re.search(r'data-code="([0-9A-Z-]+)"', page).group(1)
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    section = re.search(r'<section class="certificate".*?</section>', page, re.S).group(0)
    assert "李小华" in section and "测试竞赛" in section and "成绩：30 分（满分 30 分）" in section
    assert f"证书编号：{code}" in section and "<svg" in section, "its QR code, drawn inline"
    png = f"/competitions/attempt/{attempt.token}/certificate.png"
    assert re.search(rf'href="{re.escape(png)}\?download=1" download', page)
    assert f'href="{png}"' in page
    assert "<img" not in page, "the image is fetched only when asked for (page weight)"
    assert f'href="http://localhost/c/{code}"' in page


def test_the_image_is_a_png_of_a4_proportions_with_its_code_in_the_metadata(client,
                                                                           competition):
    attempt = play(client)
    code = _code(client, attempt)
    response = client.get(f"/competitions/attempt/{attempt.token}/certificate.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "PNG" and image.size == (1240, 1754)
    assert image.text["Certificate-Code"] == code
    assert image.text["Verification-URL"] == f"http://localhost/c/{code}"
    assert image.text["Title"] == "证书"
    # Drawn, not blank: the ink of the text and the QR code.
    histogram = image.convert("L").histogram()
    assert sum(histogram[:100]) > 50_000, "dark pixels of the text and the QR code"
    # Asked again with its ETag: not drawn again.
    again = client.get(f"/competitions/attempt/{attempt.token}/certificate.png",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    saved = client.get(f"/competitions/attempt/{attempt.token}/certificate.png?download=1")
    assert saved.headers["Content-Disposition"] == (
        f'attachment; filename="certificate-{code}.png"')


def test_the_image_follows_the_language(client, competition):
    attempt = play(client)
    client.set_cookie("kx_lang", "en")
    image = Image.open(io.BytesIO(
        client.get(f"/competitions/attempt/{attempt.token}/certificate.png").data))
    assert image.text["Title"] == "Certificate"


def test_only_the_owner_opens_the_certificate_and_its_image(client, competition, auth,
                                                            make_user):
    attempt = play(client)
    stranger = client.application.test_client()
    for url in (f"/competitions/attempt/{attempt.token}/certificate",
                f"/competitions/attempt/{attempt.token}/certificate.png"):
        assert client.get(url).status_code == 200
        assert stranger.get(url).status_code == 404
    make_user("someone")
    auth.login("someone")  # the same phone, signed in: the device's attempt is not the account's
    assert client.get(f"/competitions/attempt/{attempt.token}/certificate.png").status_code == 404


# --- the public check ------------------------------------------------------------------------

def test_the_check_shows_a_genuine_certificate_and_nothing_personal(client, competition):
    attempt = play(client, name="李小华", phone="13800138000", right=5)
    code = _code(client, attempt)
    page = client.application.test_client().get(f"/c/{code}")
    assert page.status_code == 200
    html = page.text
    assert 'data-test="verify-genuine"' in html and "真实有效" in html
    assert re.search(r'data-test="masked-name">李\*华<', html)
    assert "测试竞赛" in html and "25 / 30" in html and "2025-05-01" in html
    for private in ("李小华", "13800138000", attempt.token):
        assert private not in html


def test_a_forged_code_is_not_found(client, competition):
    attempt = play(client)
    code = _code(client, attempt)
    forged = ("0" if code[0] != "0" else "1") + code[1:]
    for url in (f"/c/{forged}", "/c/NOT-A-CODE", "/c/" + "Z" * 400):
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'data-test="verify-not-found"' in response.text
        assert "verify-genuine" not in response.text


def test_a_typed_code_finds_the_check(client, competition):
    attempt = play(client)
    code = _code(client, attempt)
    typed = code.lower().replace("-", " ")
    response = client.get("/certificates/check", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"] == f"/c/{code}"
    missing = client.get("/certificates/check", query_string={"code": "ABCDE-FGHJK"})
    assert missing.status_code == 404 and 'data-test="verify-not-found"' in missing.text
    # A NUL byte is refused before any view, as everywhere in the app.
    assert client.get("/certificates/check?code=ABC%00").status_code == 400
    assert client.get("/certificates/check").status_code == 200


def test_a_voided_attempts_certificate_is_shown_as_withdrawn(client, competition, make_user):
    attempt = play(client)
    code = _code(client, attempt)
    void_attempt(attempt, "作弊", make_user("judge", "admin").id)
    html = client.get(f"/c/{code}").text
    assert 'data-test="verify-withdrawn"' in html and "verify-genuine" not in html
    assert client.get(f"/competitions/attempt/{attempt.token}/certificate").status_code == 404


def test_the_competition_form_sets_the_certificate_score(admin, bank, now):
    from tests.competitions.test_admin_views import _form

    page = admin.get("/admin/competitions/new")
    assert 'name="certificate_min_score"' in page.text
    admin.post("/admin/competitions/new", data={
        **_form(now), "certificate_min_score": "60", "csrf_token": csrf_token(page.text)})
    contest = db.session.scalar(select(Competition).where(Competition.slug == "cup-2"))
    assert contest.certificate_min_score == 60.0
    edit = admin.get(f"/admin/competitions/{contest.id}/edit").text
    assert re.search(r'name="certificate_min_score"[^>]*value="60', edit)
    for bad in ("-1", "nan", "1e400"):
        refused = admin.post(f"/admin/competitions/{contest.id}/edit", data={
            **_form(now), "certificate_min_score": bad, "csrf_token": csrf_token(edit)})
        assert refused.status_code in (200, 400) and 'class="error"' in refused.text
    db.session.refresh(contest)
    assert contest.certificate_min_score == 60.0

from tests.support import csrf_token


def _post(client, path, **data):
    page = client.get("/")
    return client.post(path, data={**data, "csrf_token": csrf_token(page.text)})


def test_home_is_chinese_by_default(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "科学素质" in page.text


def test_language_switch_persists(client):
    response = _post(client, "/preferences/language", language="en", next="/")
    assert response.status_code == 302
    assert "kx_lang=en" in response.headers["Set-Cookie"]
    assert "Max-Age=31536000" in response.headers["Set-Cookie"]
    page = client.get("/")
    assert '<html lang="en">' in page.text
    assert "Science literacy for everyone in Xinzheng" in page.text
    _post(client, "/preferences/language", language="zh_CN", next="/")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_unknown_language_is_ignored(client):
    _post(client, "/preferences/language", language="fr", next="/")
    assert '<html lang="zh-CN">' in client.get("/").text


def test_large_type_is_switchable_and_remembered(client):
    assert 'class="large-type"' not in client.get("/").text
    response = _post(client, "/preferences/large-type", on="1", next="/login")
    assert response.headers["Location"] == "/login"
    assert 'class="large-type"' in client.get("/").text
    assert 'class="large-type"' in client.get("/login").text
    _post(client, "/preferences/large-type", on="0", next="/")
    assert 'class="large-type"' not in client.get("/").text


def test_preference_redirect_stays_on_site(client):
    response = _post(client, "/preferences/large-type", on="1", next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_pages_load_nothing_from_the_internet(client):
    import re

    for path in ("/", "/login"):
        html = client.get(path).text
        assert not re.search(r'(src|href)="https?://', html), path


def test_error_pages_are_friendly(client, auth, make_user):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "页面不存在" in missing.text
    make_user("rita", "resident")
    auth.login("rita")
    forbidden = client.get("/admin/")
    assert forbidden.status_code == 403
    assert "没有权限" in forbidden.text


def test_device_token_is_signed_and_stable(app, client):
    from quizapp.device import DEVICE_COOKIE, device_id

    with app.test_request_context("/"):
        first = device_id()
    with app.test_request_context("/", headers={"Cookie": f"{DEVICE_COOKIE}=tampered.value"}):
        assert device_id() != "tampered.value"
    assert len(first) >= 16

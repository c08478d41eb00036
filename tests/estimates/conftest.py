"""A signed-in statistician reading the pages in English."""

import pytest

from quizapp.extensions import LANGUAGE_COOKIE


@pytest.fixture
def statistician(client, auth, make_user):
    make_user("stats", "statistician")
    assert auth.login("stats").status_code == 302
    client.set_cookie(LANGUAGE_COOKIE, "en")
    return client

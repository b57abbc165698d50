"""Login, sessions, CSRF on the login form, throttling, security headers, settings and OIDC-proxy mode."""

from __future__ import annotations

import pytest
from console_helpers import DEMO, PASSWORD, RIVERSIDE, act, csrf_token, login, new_client, post_path, settings
from postguard.console.app import create_app
from postguard.console.settings import ConsoleConfigError, ConsoleSettings


def test_login_ok_starts_a_session(client):
    response = login(client, "alice")
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/queue")
    assert page.status_code == 200 and 'data-testid="whoami">alice<' in page.text


def test_bad_password_is_refused(client):
    response = login(client, "alice", "wrong password!")
    assert response.status_code == 401 and "Wrong username or password" in response.text
    assert client.get("/queue").status_code == 303  # still not signed in


def test_unknown_user_gets_the_same_answer(client):
    response = login(client, "mallory", "whatever it is")
    assert response.status_code == 401 and "Wrong username or password" in response.text


def test_a_failed_login_logs_only_a_known_username(client, caplog):
    caplog.set_level("INFO", logger="postguard.console")
    login(client, "alice", "wrong password!")
    login(client, "hunter2-typed-in-the-wrong-box", "x")  # a password typed into the username field
    logged = [
        getattr(r, "username", None) for r in caplog.records if r.getMessage() == "console login failed"
    ]
    assert logged == ["alice", "(unknown user)"]
    assert "hunter2" not in caplog.text


def test_login_is_throttled_per_username_after_failures(client, app):
    for _ in range(3):
        assert login(client, "alice", "wrong password!").status_code == 401
    locked = login(client, "alice")  # even the right password
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert client.get("/queue").status_code == 303
    assert login(new_client(app), "carol").status_code == 303  # other accounts are unaffected


def test_login_form_needs_its_csrf_token(client):
    csrf_token(client, "/login")
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert client.get("/queue").status_code == 303


def test_unauthenticated_pages_redirect_to_login(client):
    response = client.get("/queue")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/queue"
    assert client.get(post_path("p-1")).status_code == 303
    assert client.get("/archive").status_code == 303


def test_login_never_redirects_off_site(client):
    token = csrf_token(client)
    data = {"username": "alice", "password": PASSWORD, "csrf_token": token, "next": "//evil.example/x"}
    response = client.post("/login", data=data)
    assert response.headers["location"] == "/queue"


def test_logout_needs_csrf_and_ends_the_session(client):
    login(client, "alice")
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/queue").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/queue")})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/queue").status_code == 303


def test_security_headers_and_healthz(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert client.get("/healthz").json() == {"status": "ok"}


def test_an_empty_or_short_secret_is_refused_unless_dev(world):
    with pytest.raises(ConsoleConfigError, match="SECRET_KEY is empty"):
        create_app(world.desk, world.audit, world.users, ConsoleSettings())
    with pytest.raises(ConsoleConfigError, match="too short"):
        create_app(world.desk, world.audit, world.users, ConsoleSettings(secret_key="short"))
    app = create_app(world.desk, world.audit, world.users, ConsoleSettings(dev_insecure=True))
    assert login(new_client(app), "alice").status_code == 303


def test_password_mode_needs_users(world):
    with pytest.raises(ConsoleConfigError, match="users file"):
        create_app(world.desk, world.audit, None, settings())


def oidc_app(world, **extra):
    return create_app(
        world.desk, world.audit, None, settings(auth_mode="oidc-proxy", **extra), clock=world.clock
    )


def test_oidc_mode_trusts_the_proxy_headers_and_maps_groups(world):
    world.hold("p-1")
    world.hold("p-theirs", institution=RIVERSIDE)
    client = new_client(oidc_app(world))
    headers = {
        "X-Forwarded-User": "dana@demo.example",
        "X-Forwarded-Groups": "staff,postguard:demo-hospital:reviewer",
    }
    page = client.get("/queue", headers=headers)
    assert page.status_code == 200 and "dana@demo.example" in page.text
    assert 'data-post-id="p-1"' in page.text and "p-theirs" not in page.text
    assert client.get(post_path("p-theirs", RIVERSIDE), headers=headers).status_code == 404
    page = client.get(post_path("p-1"), headers=headers)
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/act/approve/demo-hospital/p-1", data={"csrf_token": token}, headers=headers)
    assert response.status_code == 303
    assert world.published[-1].review.reviewer == "dana@demo.example"


def test_oidc_mode_without_a_postguard_group_is_403(world):
    client = new_client(oidc_app(world))
    response = client.get("/queue", headers={"X-Forwarded-User": "eve", "X-Forwarded-Groups": "staff"})
    assert response.status_code == 403
    assert client.get("/queue").status_code == 403  # no headers at all


def test_oidc_mode_uses_configured_header_names_and_admin_groups(world):
    world.hold("p-1")
    app = oidc_app(world, oidc_user_header="X-Auth-Request-User", oidc_groups_header="X-Auth-Request-Groups")
    client = new_client(app)
    headers = {"X-Auth-Request-User": "frank", "X-Auth-Request-Groups": "postguard:demo-hospital:admin"}
    assert "frank" in client.get("/queue", headers=headers).text
    assert (
        client.get(
            "/queue",
            headers={"X-Forwarded-User": "frank", "X-Forwarded-Groups": "postguard:demo-hospital:admin"},
        ).status_code
        == 403
    )


def test_proxy_headers_are_ignored_in_password_mode(world, client):
    world.hold("p-1")
    headers = {"X-Forwarded-User": "carol", "X-Forwarded-Groups": f"postguard:{DEMO}:admin"}
    response = client.get("/queue", headers=headers)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert client.get(post_path("p-1"), headers=headers).status_code == 303


def test_a_session_ends_its_max_age_after_login(world, monkeypatch):
    import time

    app = create_app(world.desk, world.audit, world.users, settings(session_max_age_seconds=600))
    client = new_client(app)
    start = time.time()
    assert login(client, "alice").status_code == 303
    world.hold("p-1")
    monkeypatch.setattr(time, "time", lambda: start + 400)
    assert act(client, "approve", "p-1").status_code == 303  # its notice re-signs the cookie now
    monkeypatch.setattr(time, "time", lambda: start + 700)
    assert client.get("/queue").status_code == 303  # 300 s after the last request, 700 s after login

"""The gateway's own sign-in page for the authorization-code flow (plain HTML, no scripts)."""

from __future__ import annotations

from html import escape

_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Masuk - Talenta</title>
<style>body{{font-family:system-ui,sans-serif;max-width:24rem;margin:3rem auto;padding:0 1rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0}}input{{padding:.5rem}}button{{padding:.6rem}}
.error{{color:#a40000}}</style></head>
<body><h1>Talenta</h1><p>Masuk untuk memberi akses kepada <strong>{client_name}</strong>.<br>
<small>Sign in to let {client_name} act for you.</small></p>{error}
<form method="post" action="/api/v1/auth/authorize">
<label for="username">Nama pengguna / Username</label>
<input id="username" name="username" autocomplete="username" required value="{username}">
<label for="password">Kata sandi / Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
{hidden}<button type="submit">Masuk / Sign in</button></form></body></html>"""

_ERROR_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Talenta</title></head>
<body><h1>Permintaan tidak valid / Invalid request</h1><p>{message}</p></body></html>"""

# Hidden fields carried from the authorization request into the sign-in POST.
CARRIED_FIELDS = ("client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "scope")


def sign_in_page(client_name: str, params: dict[str, str], error: str | None = None, username: str = "") -> str:
    """The sign-in form, every value escaped."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">' for name in CARRIED_FIELDS
    )
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _PAGE.format(client_name=escape(client_name), error=error_html, username=escape(username), hidden=hidden)


def error_page(message: str) -> str:
    """A page for requests that must not be redirected (unknown client or redirect URI)."""
    return _ERROR_PAGE.format(message=escape(message))


# The sign-in page must never be framed (clickjacking) nor load anything from elsewhere.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

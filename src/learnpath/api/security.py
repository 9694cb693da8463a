"""HTTP security: the session cookie's attributes, the headers on every response, CORS for
front ends on other origins, the WebSocket's origin check, and the Swagger UI served from
this server (FastAPI's default loads it from a CDN).

HTTPS is what the request came over: the socket's scheme, or ``X-Forwarded-Proto`` when a
proxy of ``LEARNPATH_FORWARDED_ALLOW_IPS`` sent it (uvicorn's proxy-headers middleware
rewrites the scope's scheme and client for those only).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from learnpath.config import Settings

TOKEN_COOKIE = "learnpath_token"
"""The login cookie of the web app and the event streams."""

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
"""For every response: our pages load nothing from elsewhere and have no inline script or
style (images in tutorials may come from any HTTPS site)."""
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
"""The Swagger UI sets style attributes from its scripts."""
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
HSTS = "max-age=31536000"
SECURE_SCHEMES = frozenset({"https", "wss"})


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") in SECURE_SCHEMES


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    """The login cookie: HttpOnly, ``SameSite=Lax``, and ``Secure`` over HTTPS."""
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request.scope),
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        TOKEN_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request.scope)
    )


class SecurityHeaders:
    """Pure ASGI middleware: the headers of :data:`SECURITY_HEADERS` on every HTTP response
    that does not set its own, and HSTS on those that went over HTTPS."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = is_https(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
                if https:
                    headers["strict-transport-security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def host_name(host: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:8000`` → ``::1``)."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class LoopbackHostOnly:
    """``--local`` mode: answer only requests addressed to a loopback name. Nothing else
    authenticates there, so a page of another site must not reach the server through a name
    of its own that resolves to 127.0.0.1 (DNS rebinding): 400 for any other ``Host``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "")
            if host_name(host) not in LOOPBACK_HOSTS:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4400, "reason": "bad host"})
                    return
                answer = Response("this server answers only on a loopback address", 400)
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Whether a browser page on the handshake's ``Origin`` may use this server's cookie: a
    page of this server (the host and port it was addressed by, ``Host``, whatever the
    scheme: a proxy in front may have ended TLS) or one of ``LEARNPATH_CORS_ORIGINS``. No
    ``Origin`` at all is not a browser (browsers always send one on a WebSocket), so there
    is no page to check."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().lower()
    if origin in settings.cors_origins:
        return True
    host = websocket.headers.get("host", "").strip().lower()
    parts = urlsplit(origin)
    return bool(host) and parts.scheme in ("http", "https") and parts.netloc == host


def install_cors(app: FastAPI, settings: Settings) -> None:
    """CORS for front ends on the origins of ``LEARNPATH_CORS_ORIGINS`` (none by default: no
    middleware, so no cross-origin grant at all). Credentials are allowed, so never a
    wildcard; such a front end calls the API with a bearer token (the CSRF guard of
    :mod:`learnpath.web.csrf` still refuses cookie-authenticated writes from other origins)."""
    if not settings.cors_origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "DELETE"],
        allow_headers=[
            "Authorization",
            "Content-Type",
            "Last-Event-ID",
            "X-CSRF-Token",
            "X-Request-ID",
        ],
        expose_headers=["Retry-After", "X-Request-ID"],
        max_age=600,
    )


# -- /docs -------------------------------------------------------------------------------------
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>learnpath API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<link rel="stylesheet" href="/static/docs.css">
</head>
<body>
<main id="swagger-ui"></main>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script>
</body>
</html>
"""
DOCS_ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}


def swagger_ui_dir() -> Path | None:
    """The Swagger UI files of the ``swagger-ui-bundle-v2`` package, if it is installed."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    folder = Path(str(swagger_ui_path))
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def install_docs(app: FastAPI, settings: Settings) -> bool:
    """``/docs``: the Swagger UI, every file from this server (none when ``LEARNPATH_DOCS`` is
    false, or the package is missing). ``/openapi.json`` is served either way."""
    folder = swagger_ui_dir()
    if not settings.docs or folder is None:
        return False

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(
            DOCS_PAGE, headers={"content-security-policy": DOCS_CONTENT_SECURITY_POLICY}
        )

    @app.get("/docs/assets/{name}", include_in_schema=False)
    async def docs_asset(name: str) -> Response:
        media_type = DOCS_ASSETS.get(name)
        if media_type is None:
            return Response(status_code=404)
        return FileResponse(
            folder / name, media_type=media_type, headers={"cache-control": "max-age=86400"}
        )

    return True


def install(app: FastAPI, settings: Settings, *, local: bool) -> None:
    """The headers on every response, CORS, and in ``--local`` mode the loopback host check;
    call after every other middleware so that these wrap them all (the last added is the
    outermost)."""
    install_cors(app, settings)
    if local:
        app.add_middleware(LoopbackHostOnly)
    app.add_middleware(SecurityHeaders)

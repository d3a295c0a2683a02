"""Rendering a dashboard page: the template, the viewer's language and CSRF token, safe headers."""
from fastapi import Request
from fastapi.responses import HTMLResponse

from sync.server.web.deps import Dashboard, Viewer
from sync.server.web.i18n import COOKIE, LANGUAGES

# Everything the pages use is on this server: no script at all, styles from /static, charts inline.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
                               " frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page(request: Request, board: Dashboard, viewer: Viewer, template: str, status: int = 200,
         **context) -> HTMLResponse:
    response = board.templates.TemplateResponse(request, template, {
        "_": viewer.gettext, "viewer": viewer, "lang": viewer.language,
        "csrf": viewer.sign_in.csrf_token if viewer.sign_in else "", **context}, status_code=status)
    response.headers.update(HEADERS)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, viewer.language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response

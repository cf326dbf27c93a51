"""The dashboard's HTTP side, mounted on the one aiohttp application by `bot.app.create_app`.

Every page request reads the session cookie, finds the member, builds the same `Context` a
chat request gets and asks the page's sections (`registry.page_sections`) for what this
person's roles allow, on every request. Refusals are friendly pages (401 not signed in, 403
not allowed, 404 unknown), never a stack trace. Every POST checks Origin and a CSRF token.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import pages
from bot.context import Context, Services
from bot.dashboard import render, signin, urls
from bot.dashboard.programme_page import may_view_programme
from bot.messages import Command, ConversationRef, Platform, User
from bot.pages import Section
from bot.permissions import Capability
from storage import communities, people, web_sessions
from storage.tables import Community

if TYPE_CHECKING:
    import jinja2

_LOGGER = logging.getLogger(__name__)
SERVICES = web.AppKey("dashboard_services", Services)
STATIC_DIR = Path(__file__).parent / "static"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refusal(Exception):
    """Stop a page with a friendly answer (401, 403, 404)."""

    def __init__(self, status: int, template: str, **values: Any) -> None:
        super().__init__(template)
        self.status = status
        self.template = template
        self.values = values


@dataclass(slots=True)
class Viewer:
    ctx: Context
    session_hash: str

    @property
    def csrf(self) -> str:
        return signin.csrf_token(self.ctx.settings, self.session_hash)


def mount(app: web.Application, services: Services) -> None:
    app[SERVICES] = services
    app.router.add_get(urls.HOME, guarded(home))
    app.router.add_get("/csv/{key}", guarded(member_csv))
    app.router.add_get(urls.SIGN_IN, guarded(sign_in_page))
    app.router.add_post(urls.SIGN_IN, guarded(sign_in))
    app.router.add_post(urls.SIGN_OUT, guarded(sign_out))
    app.router.add_get("/c/{slug}", guarded(community_page))
    app.router.add_get("/c/{slug}/csv/{key}", guarded(community_csv))
    app.router.add_get(urls.PROGRAMME, guarded(programme_page))
    app.router.add_get(urls.PROGRAMME + "/csv/{key}", guarded(programme_csv))
    app.router.add_static(urls.STATIC, STATIC_DIR, append_version=True)


def guarded(handler: Handler) -> Handler:
    """Friendly pages for refusals and failures, and headers every dashboard answer carries."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            response = await handler(request)
        except Refusal as refusal:
            response = page(request, refusal.template, refusal.values, status=refusal.status)
        except web.HTTPException:
            raise
        except Exception:
            _LOGGER.exception("dashboard page failed: %s", request.path)
            response = page(request, "error.html", {}, status=500)
        return secured(response)

    return wrapped


def secured(response: web.StreamResponse) -> web.StreamResponse:
    """The headers every dashboard page carries."""
    # Pages hold personal figures: never cached, never framed by another site.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def page(
    request: web.Request, template: str, values: dict[str, Any], *, status: int = 200
) -> web.Response:
    values.setdefault("viewer", None)
    values.setdefault("csrf", "")
    values.setdefault("is_coordinator", False)
    html = templates().get_template(template).render(values)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


@functools.cache
def templates() -> jinja2.Environment:
    """The page templates, loaded with the first page: a process that serves none (a worker,
    a Slack-only replica) never imports Jinja (docs/HACKING.md, "Imports a process may not
    need")."""
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.dashboard", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["inline"] = render.inline
    return environment


# -- who is asking ------------------------------------------------------------------------------


def _services(request: web.Request) -> Services:
    return request.app[SERVICES]


async def viewer_of(request: web.Request, session: AsyncSession, now: datetime) -> Viewer | None:
    """The signed-in person behind the cookie, as a chat-like Context; None when signed out."""
    hashed = signin.token_hash(request.cookies.get(signin.COOKIE, ""))
    if hashed is None:
        return None
    found = await web_sessions.find_session(session, hashed, now)
    if found is None:
        return None
    member = await people.get_member(session, found.member_id)
    if member is None or member.id is None or member.forgotten_at is not None:
        return None
    identity = await people.preferred_identity(session, member.id)
    if identity is None:
        return None
    platform = Platform(identity.platform)
    user = User(platform, identity.platform_user_id, member.display_name)
    conversation = ConversationRef(platform, f"dashboard:{member.id}", is_direct=True)
    ctx = Context(
        services=_services(request),
        session=session,
        now=now,
        request=Command(user=user, conversation=conversation, text="dashboard"),
        member=member,
        identity=identity,
    )
    return Viewer(ctx, hashed)


async def _signed_in(request: web.Request, session: AsyncSession) -> Viewer:
    services = _services(request)
    viewer = await viewer_of(request, session, services.clock.now())
    if viewer is None:
        raise Refusal(401, "signed_out.html")
    return viewer


# -- pages --------------------------------------------------------------------------------------


async def sections_of(viewer: Viewer, page_name: str, community: Community | None) -> list[Section]:
    """Every section of the page that this viewer may see, in order."""
    found = []
    for _order, provider in viewer.ctx.services.registry.page_sections.get(page_name, []):
        section = await provider(viewer.ctx, community)
        if section is not None:
            found.append(section)
    return found


async def _community(viewer: Viewer, slug: str) -> Community:
    community = await communities.find_community(viewer.ctx.session, slug)
    if community is None or community.archived_at is not None:
        raise Refusal(404, "not_found.html", what=f"community called “{slug}”")
    # Exactly what chat's `health` asks: leaders, sponsors and coordinators.
    if not await viewer.ctx.can(Capability.VIEW_HEALTH, community):
        raise Refusal(
            403,
            "refused.html",
            reason=f"Only the leaders, sponsors and coordinators of {community.name} see its page.",
        )
    return community


def _require_programme(viewer: Viewer) -> None:
    if not may_view_programme(viewer.ctx):
        raise Refusal(403, "refused.html", reason="Only coordinators see the programme page.")


def _show(
    request: web.Request, viewer: Viewer, title: str, page_url: str, sections: list[Section]
) -> web.Response:
    query = {k: v for k, v in request.query.items() if k in {"sort", "dir"}}
    return page(
        request,
        "page.html",
        {
            "title": title,
            "sections": [render.show(s, page_url, query) for s in sections],
            "viewer": viewer.ctx.member,
            "csrf": viewer.csrf,
            "is_coordinator": may_view_programme(viewer.ctx),
        },
    )


async def home(request: web.Request) -> web.StreamResponse:
    async with _services(request).db.session() as session:
        viewer = await viewer_of(request, session, _services(request).clock.now())
        if viewer is None:
            return page(request, "signed_out.html", {}, status=200)
        sections = await sections_of(viewer, pages.MEMBER, None)
        return _show(
            request, viewer, f"{viewer.ctx.member.display_name}'s dashboard", urls.HOME, sections
        )


async def community_page(request: web.Request) -> web.StreamResponse:
    async with _services(request).db.session() as session:
        viewer = await _signed_in(request, session)
        community = await _community(viewer, request.match_info["slug"])
        sections = await sections_of(viewer, pages.COMMUNITY, community)
        return _show(request, viewer, community.name, urls.community(community.slug), sections)


async def programme_page(request: web.Request) -> web.StreamResponse:
    async with _services(request).db.session() as session:
        viewer = await _signed_in(request, session)
        _require_programme(viewer)
        sections = await sections_of(viewer, pages.PROGRAMME, None)
        return _show(request, viewer, "Programme", urls.PROGRAMME, sections)


# -- CSV downloads of what a page shows ----------------------------------------------------------


def _csv(request: web.Request, sections: list[Section], name: str) -> web.Response:
    key = request.match_info["key"]
    table = pages.find(sections, key)
    if table is None:
        raise Refusal(404, "not_found.html", what="table of that name on this page")
    query = {k: v for k, v in request.query.items() if k in {"sort", "dir"}}
    rows, _, _ = render.sort_rows(table, key, query)
    filename = "".join(c if c.isalnum() or c in "-_" else "-" for c in f"{name}-{key}")
    return web.Response(
        body=render.table_csv(table, rows),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename[:120]}.csv"'},
    )


async def member_csv(request: web.Request) -> web.StreamResponse:
    async with _services(request).db.session() as session:
        viewer = await _signed_in(request, session)
        return _csv(request, await sections_of(viewer, pages.MEMBER, None), "my-dashboard")


async def community_csv(request: web.Request) -> web.StreamResponse:
    async with _services(request).db.session() as session:
        viewer = await _signed_in(request, session)
        community = await _community(viewer, request.match_info["slug"])
        sections = await sections_of(viewer, pages.COMMUNITY, community)
        return _csv(request, sections, community.slug)


async def programme_csv(request: web.Request) -> web.StreamResponse:
    async with _services(request).db.session() as session:
        viewer = await _signed_in(request, session)
        _require_programme(viewer)
        return _csv(request, await sections_of(viewer, pages.PROGRAMME, None), "programme")


# -- sign-in and sign-out -------------------------------------------------------------------------


def _allowed_origins(request: web.Request) -> set[str]:
    """Our own origin: the public URL, and the address this request was sent to."""
    settings = _services(request).settings
    public = settings.base_url.split("/", 3)
    return {"/".join(public[:3]), f"{request.scheme}://{request.host}"}


def _check_origin(request: web.Request) -> None:
    if not signin.origin_ok(
        request.headers.get("Origin"), request.headers.get("Referer"), _allowed_origins(request)
    ):
        raise Refusal(403, "refused.html", reason="That form was sent from another site.")


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    """Opening the link only shows a button: previews and scanners that fetch links spend
    nothing, and the person sees whose dashboard they are about to open."""
    services = _services(request)
    await services.load_keys()
    link = signin.read_link(services.settings, dict(request.query), services.clock.now())
    if link is None:
        raise Refusal(403, "link_refused.html")
    async with services.db.session() as session:
        member = await people.get_member(session, link.member_id)
        if member is None or member.forgotten_at is not None:
            raise Refusal(403, "link_refused.html")
        return page(request, "sign_in.html", {"name": member.display_name, "fields": link.fields()})


async def sign_in(request: web.Request) -> web.StreamResponse:
    services = _services(request)
    await services.load_keys()
    _check_origin(request)
    form = await request.post()
    now = services.clock.now()
    link = signin.read_link(services.settings, {k: str(v) for k, v in form.items()}, now)
    if link is None:
        raise Refusal(403, "link_refused.html")
    token = signin.new_session_token()
    hashed = signin.token_hash(token)
    assert hashed is not None
    async with services.db.session() as session:
        member = await people.get_member(session, link.member_id)
        if member is None or member.forgotten_at is not None:
            raise Refusal(403, "link_refused.html")
        expires = datetime.fromtimestamp(link.expires, tz=now.tzinfo)
        if not await web_sessions.spend_sign_in(session, link.nonce, link.member_id, now, expires):
            raise Refusal(403, "link_refused.html", used=True)
        await web_sessions.purge_expired(session, now)
        await web_sessions.open_session(
            session, hashed, link.member_id, now, now + signin.SESSION_TTL
        )
    response = web.Response(status=303, headers={"Location": urls.HOME})
    response.set_cookie(
        signin.COOKIE,
        token,
        max_age=int(signin.SESSION_TTL.total_seconds()),
        path="/",
        httponly=True,
        secure=services.settings.base_url.startswith("https://"),
        samesite="Lax",
    )
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    services = _services(request)
    await services.load_keys()
    _check_origin(request)
    form = await request.post()
    async with services.db.session() as session:
        viewer = await viewer_of(request, session, services.clock.now())
        if viewer is None:
            raise Refusal(401, "signed_out.html")
        if not signin.csrf_ok(services.settings, viewer.session_hash, str(form.get("csrf", ""))):
            raise Refusal(403, "refused.html", reason="That form has expired; reload the page.")
        await web_sessions.close_session(session, viewer.session_hash)
    response = web.Response(status=303, headers={"Location": urls.HOME})
    response.del_cookie(signin.COOKIE, path="/")
    return response

"""REST plumbing: the route table, reading bodies (JSON or multipart with ``payload_json`` + ``files[n]``),
recording and validating every request against Discord's OpenAPI file, and Discord-shaped answers.

The handlers themselves are :class:`~.routes.RoutesMixin` (users, guilds, commands, channels, messages)
and :class:`~.callbacks.CallbacksMixin` (interaction callbacks and webhooks).
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..openapi_check import format_errors
from .enums import JSONErrorCode
from .mentions import mention_problems
from .model import DiscordHTTPError, FakeFile, RecordedRequest, RestRequest


def json_response(status: int, data: Any) -> web.Response:
    # discord.py only parses JSON when Content-Type is exactly application/json (no charset)
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


def error_response(err: DiscordHTTPError) -> web.Response:
    body: dict[str, Any] = {"message": err.message, "code": err.code}
    if err.errors is not None:
        body["errors"] = err.errors
    return json_response(err.status, body)


class RestMixin:
    """The aiohttp handlers of :class:`FakeDiscord` for ``/api/v10/...``, attachments and anything else."""

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any], bool]]:
        """``(method, path pattern below /api/v10, handler, needs the bot token)``, built once; the first
        match wins.  A test may swap a handler in this list (see test_daily_recovery.py)."""
        if hasattr(self, "_route_table"):
            return self._route_table
        S = r"(?P<{}>\d+)"
        app = S.format("application_id")
        ch = S.format("channel_id")
        msg = S.format("message_id")
        gid = S.format("guild_id")
        cmd = S.format("command_id")
        tok = r"(?P<token>[^/]+)"
        table = [
            ("GET", r"/users/@me", self._r_get_me, True),
            ("GET", r"/gateway/bot", self._r_gateway_bot, True),
            ("POST", r"/users/@me/channels", self._r_create_dm, True),
            ("GET", rf"/users/{S.format('user_id')}", self._r_get_user, True),
            ("GET", r"/oauth2/applications/@me", self._r_get_app, True),
            ("GET", r"/applications/@me", self._r_get_app, True),
            ("GET", rf"/applications/{app}/commands", self._r_list_commands, True),
            ("PUT", rf"/applications/{app}/commands", self._r_put_commands, True),
            ("POST", rf"/applications/{app}/commands", self._r_post_command, True),
            ("GET", rf"/applications/{app}/commands/{cmd}", self._r_get_command, True),
            ("PATCH", rf"/applications/{app}/commands/{cmd}", self._r_patch_command, True),
            ("DELETE", rf"/applications/{app}/commands/{cmd}", self._r_delete_command, True),
            ("GET", rf"/applications/{app}/guilds/{gid}/commands", self._r_list_commands, True),
            ("PUT", rf"/applications/{app}/guilds/{gid}/commands", self._r_put_commands, True),
            ("POST", rf"/applications/{app}/guilds/{gid}/commands", self._r_post_command, True),
            ("GET", rf"/applications/{app}/guilds/{gid}/commands/{cmd}", self._r_get_command, True),
            ("PATCH", rf"/applications/{app}/guilds/{gid}/commands/{cmd}", self._r_patch_command, True),
            ("DELETE", rf"/applications/{app}/guilds/{gid}/commands/{cmd}", self._r_delete_command, True),
            ("GET", rf"/guilds/{gid}", self._r_get_guild, True),
            ("GET", rf"/guilds/{gid}/channels", self._r_guild_channels, True),
            ("GET", rf"/guilds/{gid}/members/{S.format('user_id')}", self._r_get_member, True),
            ("PUT", rf"/guilds/{gid}/members/{S.format('user_id')}/roles/{S.format('role_id')}", self._r_add_member_role, True),
            ("DELETE", rf"/guilds/{gid}/members/{S.format('user_id')}/roles/{S.format('role_id')}", self._r_remove_member_role,
             True),
            ("GET", rf"/channels/{ch}", self._r_get_channel, True),
            ("PATCH", rf"/channels/{ch}", self._r_patch_channel, True),
            ("GET", rf"/channels/{ch}/messages", self._r_list_messages, True),
            ("POST", rf"/channels/{ch}/messages", self._r_create_message, True),
            ("GET", rf"/channels/{ch}/messages/{msg}", self._r_get_message, True),
            ("PATCH", rf"/channels/{ch}/messages/{msg}", self._r_edit_message, True),
            ("DELETE", rf"/channels/{ch}/messages/{msg}", self._r_delete_message, True),
            ("POST", rf"/channels/{ch}/messages/{msg}/threads", self._r_thread_from_message, True),
            ("POST", rf"/channels/{ch}/threads", self._r_thread_without_message, True),
            ("PUT", rf"/channels/{ch}/messages/{msg}/reactions/(?P<emoji>[^/]+)/@me", self._r_add_reaction, True),
            ("DELETE", rf"/channels/{ch}/messages/{msg}/reactions/(?P<emoji>[^/]+)/@me", self._r_remove_reaction, True),
            ("POST", rf"/channels/{ch}/typing", self._r_typing, True),
            ("POST", rf"/interactions/(?P<interaction_id>\d+)/{tok}/callback", self._r_callback, False),
            ("POST", rf"/webhooks/{app}/{tok}", self._r_execute_webhook, False),
            ("GET", rf"/webhooks/{app}/{tok}/messages/(?P<message_id>@original|\d+)", self._r_get_webhook_message, False),
            ("PATCH", rf"/webhooks/{app}/{tok}/messages/(?P<message_id>@original|\d+)", self._r_edit_webhook_message, False),
            ("DELETE", rf"/webhooks/{app}/{tok}/messages/(?P<message_id>@original|\d+)", self._r_delete_webhook_message, False),
        ]
        self._route_table = [(m, re.compile(p + "/?"), h, a) for m, p, h, a in table]
        return self._route_table

    async def _read_body(self, request: web.Request) -> tuple[Any, list[FakeFile], bool]:
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            payload: Any = None
            files: list[FakeFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                name = part.name or ""
                data = await part.read(decode=False)
                if name == "payload_json":
                    payload = json.loads(bytes(data).decode())
                else:
                    m = re.fullmatch(r"files\[(\d+)\]", name)
                    files.append(FakeFile(part.filename or name, bytes(data), part.headers.get("Content-Type"),
                                          index=int(m.group(1)) if m else len(files)))
            return payload, files, True
        raw = await request.read()
        if not raw:
            return None, [], False
        if ctype == "application/json":
            return json.loads(raw), [], True
        return raw.decode(errors="replace"), [], True

    async def _not_api_handler(self, request: web.Request) -> web.Response:
        rec = RecordedRequest(request.method, request.path, dict(request.query), None, [], None,
                              ["not under /api/v10"], 404, True, time.monotonic())
        self.requests.append(rec)
        self._notify()
        return json_response(404, {"message": "404: Not Found", "code": JSONErrorCode.GENERAL_ERROR})

    async def _cdn_handler(self, request: web.Request) -> web.Response:
        f = self.files.get(int(request.match_info["attachment_id"]))
        if f is None:
            return json_response(404, {"message": "404: Not Found", "code": JSONErrorCode.GENERAL_ERROR})
        return web.Response(body=f.data, headers={"Content-Type": f.content_type or "application/octet-stream"})

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        try:
            body, files, has_body = await self._read_body(request)
        except Exception as exc:  # noqa: BLE001 - whatever makes a body unreadable is recorded as a violation
            body, files, has_body = None, [], False
            bad = f"unreadable body: {exc!r}"
        else:
            bad = None
        check = self.spec.check(method, path, body, has_body=has_body)
        policy = mention_problems(check.operation_id, body, pings_allowed=self.pings_allowed, role_pings=self.role_pings)
        rec = RecordedRequest(method, path, dict(request.query), body, files, check.operation_id,
                              list(check.errors) + policy + ([bad] if bad else []), None, False, time.monotonic())
        self.requests.append(rec)
        try:
            route = None
            for m, rx, handler, auth in self._routes():
                if m == method:
                    mt = rx.fullmatch(path)
                    if mt:
                        route = (handler, auth, mt.groupdict())
                        break
            if route is None:
                rec.unexpected = True
                if check.operation is None:
                    rec.errors = [f"no such Discord route {method} {path}"]
                raise DiscordHTTPError(404, JSONErrorCode.GENERAL_ERROR, "404: Not Found")
            handler, auth, params = route
            if auth and request.headers.get("Authorization") != f"Bot {self.token}":
                raise DiscordHTTPError(401, JSONErrorCode.GENERAL_ERROR, "401: Unauthorized")
            refused = self._rate_limit(path, rec)
            if refused is not None:
                return refused
            if rec.errors and self.reject_invalid:
                raise DiscordHTTPError(400, JSONErrorCode.INVALID_FORM_BODY, "Invalid Form Body",
                                       {"_errors": [{"code": "FAKE_SCHEMA", "message": e} for e in rec.errors]})
            req = RestRequest(method, path, dict(request.query), request.headers, body, files, rec)
            status, data = await handler(req, **params)
            rec.status = status
            if self.check_responses and data is not None and check.operation is not None:
                self._check_response(check.operation, status, data, rec)
            if status == 204 or data is None:
                return web.Response(status=204)
            return json_response(status, data)
        except DiscordHTTPError as err:
            rec.status = err.status
            return error_response(err)
        finally:
            self._notify()

    def _check_response(self, op: Any, status: int, data: Any, rec: RecordedRequest) -> None:
        node = self.spec.spec["paths"][op.template][op.method.lower()]
        content = ((node.get("responses") or {}).get(str(status)) or {}).get("content") or {}
        if "application/json" not in content:
            return
        pointer = "/".join(["", "paths", op.template.replace("~", "~0").replace("/", "~1"), op.method.lower(),
                            "responses", str(status), "content", "application~1json", "schema"])
        errs = format_errors(self.spec.validator_for_pointer(pointer, request=False).iter_errors(data))
        for e in errs:
            self.response_issues.append(f"{rec.method} {rec.path} ({op.operation_id}) response: {e}")


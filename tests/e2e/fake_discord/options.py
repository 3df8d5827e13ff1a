"""Slash-command data as the Discord client builds it: finding the synced command, turning
``{name: value}`` into typed options (``resolved`` users/channels/roles/attachments, subcommands),
and the client's checks (contexts, visibility, required options, choices and limits -> ``ValueError``).
"""
from __future__ import annotations

import mimetypes
from typing import Any

from .enums import ApplicationCommandOptionType as Opt
from .enums import ApplicationCommandType, InteractionContextType, Perm
from .model import FakeFile, to_id

SUBCOMMANDS = (Opt.SUB_COMMAND, Opt.SUB_COMMAND_GROUP)
# options whose value is an id (or an upload) that Discord also sends in ``resolved``
REFERENCES = (Opt.USER, Opt.CHANNEL, Opt.ROLE, Opt.MENTIONABLE, Opt.ATTACHMENT)


def _is_slash(command: dict[str, Any]) -> bool:
    return command.get("type", ApplicationCommandType.CHAT_INPUT) == ApplicationCommandType.CHAT_INPUT


class CommandOptionsMixin:
    """Builds the ``data`` of application-command interactions for :class:`FakeDiscord`."""

    def _find_command_def(self, name: str, guild_id: int | None, dm: bool, require_synced: bool) -> dict[str, Any] | None:
        cands = []
        if guild_id is not None and not dm:
            cands += [c for c in self.guild_commands.get(guild_id, []) if c["name"] == name and _is_slash(c)]
        cands += [c for c in self.global_commands if c["name"] == name and _is_slash(c)]
        if not cands:
            if require_synced:
                synced = [c["name"] for c in self.global_commands] + [
                    c["name"] for c in self.guild_commands.get(guild_id or 0, [])]
                raise ValueError(f"command /{name} was not synced to FakeDiscord (synced: {synced}); "
                                 "sync the tree in setup_hook or pass require_synced=False")
            return None
        cmd = cands[0]
        ctx = cmd.get("contexts")
        if dm:
            if (ctx is not None and InteractionContextType.BOT_DM not in ctx) or cmd.get("dm_permission") is False:
                raise ValueError(f"/{name} is not available in DMs (contexts={ctx})")
        elif ctx is not None and InteractionContextType.GUILD not in ctx:
            raise ValueError(f"/{name} is not available in guilds (contexts={ctx})")
        return cmd

    @staticmethod
    def _infer_type(value: Any) -> int:
        if isinstance(value, bool):
            return Opt.BOOLEAN
        if isinstance(value, int):
            return Opt.INTEGER
        if isinstance(value, float):
            return Opt.NUMBER
        return Opt.STRING

    def _option_value(self, d: dict[str, Any] | None, name: str, value: Any, resolved: dict[str, Any],
                      focused: bool, channel_id: int | None, guild_id: int | None) -> dict[str, Any]:
        t = d["type"] if d else self._infer_type(value)
        if d is None and isinstance(value, dict) and "username" in value:
            t = Opt.USER
        opt: dict[str, Any] = {"name": name, "type": t}
        if focused:
            opt["value"] = value if isinstance(value, str) else str(value)
            opt["focused"] = True
            return opt
        if t in REFERENCES:
            if t == Opt.ATTACHMENT:
                filename, data = value
                aid = self.snowflake()
                ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                self.files[aid] = FakeFile(filename, bytes(data), ctype, aid)
                url = f"{self.base_url}/attachments/{channel_id or 0}/{aid}/{filename}"
                resolved.setdefault("attachments", {})[str(aid)] = {
                    "id": str(aid), "filename": filename, "size": len(data), "url": url, "proxy_url": url,
                    "content_type": ctype, "ephemeral": True}
                opt["value"] = str(aid)
                return opt
            oid = to_id(value)
            opt["value"] = str(oid)
            g = self.guilds.get(guild_id) if guild_id else None
            if oid in self.users and t in (Opt.USER, Opt.MENTIONABLE):
                resolved.setdefault("users", {})[str(oid)] = self.users[oid]
                if g and oid in g.members:
                    m = {k: v for k, v in g.members[oid].items() if k != "user"}
                    m["permissions"] = str(self.base_permissions(g.id, oid))
                    resolved.setdefault("members", {})[str(oid)] = m
            elif oid in self.channels and t == Opt.CHANNEL:
                ch = self.channels[oid]
                resolved.setdefault("channels", {})[str(oid)] = {
                    k: ch[k] for k in ("id", "type", "name", "parent_id", "thread_metadata") if k in ch} | {
                    "permissions": str(self.permissions_in(oid, self.alice))}
            elif g and oid in g.roles and t in (Opt.ROLE, Opt.MENTIONABLE):
                resolved.setdefault("roles", {})[str(oid)] = g.roles[oid]
            else:
                raise ValueError(f"option {name}: unknown {Opt(t).name.lower()} {oid}")
            return opt
        if d is not None:
            if (t == Opt.INTEGER and not isinstance(value, int)) or (t == Opt.NUMBER and not isinstance(value, (int, float))) \
                    or (t == Opt.BOOLEAN and not isinstance(value, bool)) or (t == Opt.STRING and not isinstance(value, str)):
                raise ValueError(f"option {name} has type {t}; {value!r} cannot be sent by Discord")
            if d.get("choices") and value not in [c["value"] for c in d["choices"]]:
                raise ValueError(f"option {name}: {value!r} is not one of the choices {[c['value'] for c in d['choices']]}")
            for key, ok in (("min_value", lambda lim: value >= lim), ("max_value", lambda lim: value <= lim),
                            ("min_length", lambda lim: len(value) >= lim), ("max_length", lambda lim: len(value) <= lim)):
                if d.get(key) is not None and not ok(d[key]):
                    raise ValueError(f"option {name}: {value!r} violates {key}={d[key]}")
        opt["value"] = value
        return opt

    def _build_options(self, defs: list[dict[str, Any]] | None, values: dict[str, Any], resolved: dict[str, Any],
                       *, focused: str | None, channel_id: int | None, guild_id: int | None,
                       check_required: bool) -> list[dict[str, Any]]:
        by_name = {d["name"]: d for d in defs or []}
        out = []
        for name, value in values.items():
            d = by_name.get(name)
            if defs is not None and d is None:
                raise ValueError(f"no option {name!r}; the command has {sorted(by_name)}")
            out.append(self._option_value(d, name, value, resolved, focused == name, channel_id, guild_id))
        if check_required and defs is not None:
            missing = [d["name"] for d in defs if d.get("required") and d["name"] not in values]
            if missing:
                raise ValueError(f"required option(s) missing: {missing}")
        if focused is not None and focused not in values:
            raise ValueError(f"focused option {focused!r} needs a value in the options")
        return out

    def _command_data(self, name: str, options: dict[str, Any] | list | None, subcommand: str | None,
                      guild_id: int | None, channel_id: int | None, dm: bool, require_synced: bool,
                      focused: str | None) -> dict[str, Any]:
        cmd = self._find_command_def(name, guild_id, dm, require_synced)
        resolved: dict[str, Any] = {}
        if isinstance(options, list):  # raw Discord options
            opts = options
        else:
            defs = cmd.get("options") or [] if cmd else None
            path = subcommand.split() if subcommand else []
            wrappers: list[dict[str, Any]] = []
            for part in path:
                sub = next((o for o in defs or [] if o["name"] == part and o["type"] in SUBCOMMANDS), None) if defs is not None else None
                if defs is not None and sub is None:
                    raise ValueError(f"/{name} has no subcommand (group) {part!r}")
                implied = Opt.SUB_COMMAND if part == path[-1] else Opt.SUB_COMMAND_GROUP  # an unsynced command
                wrappers.append({"name": part, "type": sub["type"] if sub else implied})
                defs = sub.get("options") or [] if sub else None
            if defs and any(o["type"] in SUBCOMMANDS for o in defs):
                raise ValueError(f"/{name} needs subcommand=... (one of {[o['name'] for o in defs]})")
            opts = self._build_options(defs, dict(options or {}), resolved, focused=focused,
                                       channel_id=channel_id, guild_id=guild_id, check_required=focused is None)
            for w in reversed(wrappers):
                w["options"] = opts
                opts = [w]
        data: dict[str, Any] = {"id": cmd["id"] if cmd else str(self.snowflake()), "name": name, "type": ApplicationCommandType.CHAT_INPUT}
        if opts:
            data["options"] = opts
        if resolved:
            data["resolved"] = resolved
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    def _check_visibility(self, name: str, cmd_perms: Any, uid: int, guild_id: int, permissions: int | None) -> None:
        if cmd_perms is None:
            return
        have = permissions if permissions is not None else self.base_permissions(guild_id, uid)
        need = int(cmd_perms)
        if not (have & Perm.ADMINISTRATOR) and have & need != need:
            raise ValueError(f"/{name} requires default_member_permissions={need}; the member (perms {have}) "
                             "would not see it (pass enforce_visibility=False to send it anyway)")


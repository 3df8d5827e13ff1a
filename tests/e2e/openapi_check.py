"""Validate REST request bodies against Discord's official OpenAPI description.

The spec (``discord_api_spec/openapi.json`` beside this file, a copy of Discord's own; OpenAPI 3.1 = JSON Schema 2020-12) is loaded
once per process by :func:`get_spec`.  :class:`OpenAPISpec` then

* matches a concrete request (method + path below ``/api/v10``) to the operation whose path template
  fits, preferring literal segments (``/users/@me`` beats ``/users/{user_id}``);
* validates the path parameters and the JSON body against the operation's ``application/json``
  request schema (for multipart requests, the caller passes the parsed ``payload_json``);
* adds a few documented Discord limits that the spec does not express for bots (see
  :func:`discord_rules`), e.g. a bot's message content is limited to 2000 characters while
  ``MessageCreateRequest.content`` allows 4000.

Nothing here depends on discord.py or aiohttp.
"""
from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = os.environ.get("DISCORD_OPENAPI_SPEC", str(Path(__file__).with_name("discord_api_spec") / "openapi.json"))
SPEC_URI = "urn:discord-openapi"

_HTTP_METHODS = ("get", "put", "post", "patch", "delete")


def _escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


@dataclass
class Operation:
    """One operation of the spec (``method`` is upper case, ``template`` like ``/channels/{channel_id}``)."""

    method: str
    template: str
    operation_id: str
    regex: re.Pattern[str]
    param_names: list[str]
    literal_segments: int
    body_pointer: str | None  # JSON pointer to the application/json request schema
    param_schemas: dict[str, Any] = field(default_factory=dict)


@dataclass
class CheckResult:
    """Outcome of :meth:`OpenAPISpec.check`: the matched operation (or ``None``) and readable errors."""

    operation: Operation | None
    errors: list[str]

    @property
    def operation_id(self) -> str | None:
        return self.operation.operation_id if self.operation else None


class OpenAPISpec:
    """Discord's OpenAPI document with a path matcher and cached request-body validators."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        # Discord accepts integer snowflakes in request bodies (discord.py sends e.g. attachment ids,
        # allowed_mentions users and message references as ints) while the spec types SnowflakeType
        # as a string: request validation uses a copy with SnowflakeType relaxed to string-or-integer.
        relaxed = dict(spec)
        relaxed["components"] = dict(spec["components"])
        relaxed["components"]["schemas"] = dict(spec["components"]["schemas"])
        relaxed["components"]["schemas"]["SnowflakeType"] = {
            "anyOf": [spec["components"]["schemas"]["SnowflakeType"], {"type": "integer", "minimum": 0}]
        }
        self.request_registry = Registry().with_resource(
            SPEC_URI, Resource.from_contents(relaxed, default_specification=DRAFT202012)
        )
        self.registry = Registry().with_resource(
            SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT202012)
        )
        self._validators: dict[tuple[str, bool], Draft202012Validator] = {}
        # a body's errors by (schema pointer, the body as canonical JSON): every bot start syncs the same
        # commands and tests send the same replies again, and validating a body is deterministic
        self._body_errors: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()
        self.operations: list[Operation] = []
        for template, item in spec["paths"].items():
            path_params = {p["name"]: p for p in item.get("parameters", []) if p.get("in") == "path"}
            segments = template.strip("/").split("/")
            names: list[str] = []
            parts: list[str] = []
            literal = 0
            for seg in segments:
                m = re.fullmatch(r"\{(\w+)\}", seg)
                if m:
                    names.append(m.group(1))
                    parts.append(r"([^/]+)")
                else:
                    literal += 1
                    parts.append(re.escape(seg))
            regex = re.compile("^/" + "/".join(parts) + "/?$")
            for method in _HTTP_METHODS:
                op = item.get(method)
                if op is None:
                    continue
                params = dict(path_params)
                params.update({p["name"]: p for p in op.get("parameters", []) if p.get("in") == "path"})
                body_pointer = None
                content = (op.get("requestBody") or {}).get("content") or {}
                if "application/json" in content:
                    body_pointer = "/".join(
                        ["", "paths", _escape_pointer(template), method, "requestBody", "content",
                         _escape_pointer("application/json"), "schema"]
                    )
                self.operations.append(
                    Operation(
                        method=method.upper(),
                        template=template,
                        operation_id=op.get("operationId", f"{method} {template}"),
                        regex=regex,
                        param_names=names,
                        literal_segments=literal,
                        body_pointer=body_pointer,
                        param_schemas={k: v.get("schema") for k, v in params.items()},
                    )
                )
        # most literal segments first, then longer templates: '@me' / '@original' win over '{id}'
        self.operations.sort(key=lambda o: (-o.literal_segments, -len(o.template)))

    # -- matching ---------------------------------------------------------------------------------
    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """Find the operation for ``method`` and a concrete ``path`` (without the ``/api/v10`` prefix)."""
        method = method.upper()
        for op in self.operations:
            if op.method != method:
                continue
            m = op.regex.match(path)
            if m:
                return op, dict(zip(op.param_names, m.groups(), strict=True))  # one group per {name}
        return None

    def path_has_operations(self, path: str) -> bool:
        return any(op.regex.match(path) for op in self.operations)

    # -- validation -------------------------------------------------------------------------------
    def validator_for_pointer(self, pointer: str, *, request: bool = True) -> Draft202012Validator:
        """Validator for the schema at a JSON pointer into the spec (``request=False``: strict
        string snowflakes, for checking responses)."""
        key = (pointer, request)
        with self._lock:
            v = self._validators.get(key)
            if v is None:
                v = Draft202012Validator({"$ref": f"{SPEC_URI}#{pointer}"},
                                         registry=self.request_registry if request else self.registry)
                self._validators[key] = v
            return v

    def schema_validator(self, name: str, *, request: bool = True) -> Draft202012Validator:
        """Validator for ``#/components/schemas/<name>`` (e.g. ``MessageCreateRequest``)."""
        return self.validator_for_pointer(f"/components/schemas/{_escape_pointer(name)}", request=request)

    def validate_schema(self, name: str, instance: Any, *, request: bool = True) -> list[str]:
        """Readable errors of ``instance`` against ``#/components/schemas/<name>``."""
        return format_errors(self.schema_validator(name, request=request).iter_errors(instance))

    def check(self, method: str, path: str, body: Any = None, *, has_body: bool = False) -> CheckResult:
        """Validate one request.  ``body`` is the decoded JSON (or ``payload_json``) or ``None``."""
        found = self.match(method, path)
        if found is None:
            return CheckResult(None, [f"no operation {method.upper()} {path} in the OpenAPI spec"])
        op, params = found
        errors: list[str] = []
        for name, value in params.items():
            schema = op.param_schemas.get(name)
            if schema is None:
                continue
            if "$ref" in schema:
                pv = self.validator_for_pointer(schema["$ref"].split("#", 1)[1])
            else:
                pv = Draft202012Validator(schema, registry=self.registry)
            for e in pv.iter_errors(value):
                errors.append(f"path parameter {name}={value!r}: {e.message}")
        if op.body_pointer is not None and (has_body or body is not None):
            errors.extend(self._body_check(_pick_union_branch(self, op, body) or op.body_pointer, body))
        elif op.body_pointer is None and body not in (None, {}, b"", ""):
            errors.append(f"{op.operation_id} takes no JSON body but got {_short(body)}")
        errors.extend(discord_rules(op.operation_id, body))
        return CheckResult(op, errors)


    def _body_check(self, pointer: str, body: Any) -> list[str]:
        key = (pointer, json.dumps(body, sort_keys=True, ensure_ascii=False, default=repr))
        with self._lock:
            found = self._body_errors.get(key)
        if found is None:
            found = format_errors(self.validator_for_pointer(pointer).iter_errors(body), self)
            with self._lock:
                self._body_errors[key] = found
        return list(found)


def _pick_union_branch(spec: OpenAPISpec, op: Operation, body: Any) -> str | None:
    """For ``anyOf`` unions discriminated by ``type`` (interaction callbacks), pick the one branch
    whose ``type`` enum contains ``body['type']`` so errors are about that branch only."""
    if not isinstance(body, dict) or "type" not in body or op.body_pointer is None:
        return None
    node: Any = spec.spec
    for token in op.body_pointer.strip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    branches = node.get("anyOf") or node.get("oneOf")
    if not branches:
        return None
    hits = []
    for b in branches:
        ref = b.get("$ref", "")
        if not ref.startswith("#/components/schemas/"):
            return None
        sch = spec.spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
        t = (sch.get("properties") or {}).get("type") or {}
        allowed = t.get("enum", [t["const"]] if "const" in t else None)
        if allowed is not None and body["type"] in allowed:
            hits.append(ref[1:])
    return hits[0] if len(hits) == 1 else None


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _json_path(error: ValidationError) -> str:
    out = "$"
    for p in error.absolute_path:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def _one(error: ValidationError) -> str:
    where = _json_path(error)
    v, inst = error.validator, error.instance
    if v in ("maxLength", "minLength") and isinstance(inst, str):
        return f"{where}: string of length {len(inst)} violates {v} {error.validator_value}"
    if v in ("maxItems", "minItems") and isinstance(inst, list):
        return f"{where}: array of {len(inst)} items violates {v} {error.validator_value}"
    if v in ("maximum", "minimum"):
        return f"{where}: {inst!r} violates {v} {error.validator_value}"
    if v in ("anyOf", "oneOf") and error.context:
        return f"{where}: matches no allowed variant; closest: {_one(_closest(error))}"
    msg = error.message
    if len(msg) > 200:
        msg = msg[:197] + "..."
    return f"{where}: {msg}"


def _closest(error: ValidationError) -> ValidationError:
    """The most telling sub-error of an anyOf/oneOf failure: ignore branches that fail only because
    the value has another type / ``type`` discriminator (e.g. the ``{"type": "null"}`` branch), then
    prefer the deepest error."""
    branches: dict[Any, list[ValidationError]] = {}
    for e in error.context or []:
        branches.setdefault(e.relative_schema_path[0] if e.relative_schema_path else None, []).append(e)

    def shallow_mismatch(errs: list[ValidationError]) -> bool:
        for e in errs:
            rel = list(e.relative_path)
            if e.validator == "type" and not rel:
                return True
            if rel == ["type"] and e.validator in ("enum", "const"):
                return True
        return False

    keep = [errs for errs in branches.values() if not shallow_mismatch(errs)] or list(branches.values())
    candidates = [e for errs in keep for e in errs]
    best = max(candidates, key=lambda e: (len(list(e.absolute_path)), e.validator not in ("anyOf", "oneOf")))
    if best.validator in ("anyOf", "oneOf") and best.context:
        return _closest(best)
    return best if candidates else best_match(error.context)


def format_errors(errors: Iterable[ValidationError], spec: OpenAPISpec | None = None) -> list[str]:
    return [_one(e) for e in sorted(errors, key=lambda e: list(map(str, e.absolute_path)))]


# -- limits Discord enforces for bots that the spec does not express ------------------------------
_MESSAGE_OPS = {
    "create_message", "update_message", "execute_webhook", "update_original_webhook_message",
    "update_webhook_message", "create_interaction_response",
}


def _embed_chars(embed: dict[str, Any]) -> int:
    n = len(embed.get("title") or "") + len(embed.get("description") or "")
    n += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        n += len(f.get("name") or "") + len(f.get("value") or "")
    return n


def _walk_components(components: Iterable[dict[str, Any]]):
    for c in components or []:
        if not isinstance(c, dict):
            continue
        yield c
        yield from _walk_components(c.get("components") or [])
        if isinstance(c.get("component"), dict):
            yield from _walk_components([c["component"]])
        if isinstance(c.get("accessory"), dict):
            yield from _walk_components([c["accessory"]])


def discord_rules(operation_id: str, body: Any) -> list[str]:
    """Documented limits for bot messages that the OpenAPI file leaves looser or out:

    * content at most 2000 characters (the spec allows 4000 on channel messages);
    * all embeds of a message together at most 6000 characters;
    * at most 5 top-level action rows unless the IS_COMPONENTS_V2 flag (1 << 15) is set;
    * component ``custom_id`` values unique within one message / modal;
    * a new channel message must not be empty (Discord answers 50006).
    """
    if operation_id not in _MESSAGE_OPS or not isinstance(body, dict):
        return []
    data = body
    if operation_id == "create_interaction_response":
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
    errors: list[str] = []
    where = "$.data" if data is not body else "$"
    content = data.get("content")
    # (webhook / interaction schemas already say 2000; channel messages allow 4000 in the spec)
    if operation_id in ("create_message", "update_message") and isinstance(content, str) and len(content) > 2000:
        errors.append(f"{where}.content: bot message content of length {len(content)} exceeds 2000")
    embeds = data.get("embeds") or []
    if isinstance(embeds, list):
        total = sum(_embed_chars(e) for e in embeds if isinstance(e, dict))
        if total > 6000:
            errors.append(f"{where}.embeds: embeds total {total} characters, more than 6000")
    comps = data.get("components") or []
    if isinstance(comps, list):
        flags = data.get("flags") or 0
        if not (isinstance(flags, int) and flags & (1 << 15)):
            rows = [c for c in comps if isinstance(c, dict) and c.get("type") == 1]
            if len(rows) > 5:
                errors.append(f"{where}.components: {len(rows)} action rows, more than 5")
        seen: set[str] = set()
        for c in _walk_components(comps):
            cid = c.get("custom_id")
            if cid is None:
                continue
            if cid in seen:
                errors.append(f"{where}.components: duplicate custom_id {cid!r}")
            seen.add(cid)
    if operation_id == "create_message":
        has_any = any(data.get(k) for k in ("content", "embeds", "components", "sticker_ids", "poll", "attachments"))
        if not has_any:
            errors.append("$: empty message (no content, embeds, components, stickers, poll or files)")
    return errors


_SPEC: OpenAPISpec | None = None
_SPEC_LOCK = threading.Lock()


def get_spec(path: str = SPEC_PATH) -> OpenAPISpec:
    """The process-wide :class:`OpenAPISpec` (the 1.2 MB file is parsed once)."""
    global _SPEC
    with _SPEC_LOCK:
        if _SPEC is None:
            with open(path, encoding="utf-8") as fh:
                _SPEC = OpenAPISpec(json.load(fh))
        return _SPEC

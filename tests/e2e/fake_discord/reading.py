"""Reading a message (or modal) dict as a member sees it: its component tree and its text."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .enums import ComponentType


def walk_components(components: Iterable[dict[str, Any]] | None) -> Iterator[dict[str, Any]]:
    """Every component of a tree, depth first (rows' ``components``, labels' ``component``, sections'
    ``accessory``)."""
    for c in components or []:
        if not isinstance(c, dict):
            continue
        yield c
        yield from walk_components(c.get("components"))
        for key in ("component", "accessory"):
            if isinstance(c.get(key), dict):
                yield from walk_components([c[key]])


def find_component(message: dict[str, Any] | None, custom_id: str) -> dict[str, Any] | None:
    """The component dict with ``custom_id`` anywhere in a message's (or modal's) component tree."""
    if not message:
        return None
    return next((c for c in walk_components(message.get("components")) if c.get("custom_id") == custom_id), None)


def custom_ids(message: dict[str, Any] | None) -> list[str]:
    """All ``custom_id`` values of a message's (or modal's) components, in order."""
    return [c["custom_id"] for c in walk_components((message or {}).get("components")) if c.get("custom_id")]


def message_text(message: dict[str, Any] | None) -> str:
    """Content plus embed titles/descriptions/fields/footers and text-display components, joined by
    newlines: handy for ``assert "..." in message_text(msg)``."""
    if not message:
        return ""
    parts = [message.get("content") or ""]
    for e in message.get("embeds") or []:
        parts += [(e.get("author") or {}).get("name") or "", e.get("title") or "", e.get("description") or ""]
        for f in e.get("fields") or []:
            parts += [f.get("name") or "", f.get("value") or ""]
        parts.append((e.get("footer") or {}).get("text") or "")
    for c in walk_components(message.get("components")):
        if c.get("type") == ComponentType.TEXT_DISPLAY:
            parts.append(c.get("content") or "")
        if c.get("label"):
            parts.append(c["label"] if isinstance(c["label"], str) else "")
    return "\n".join(p for p in parts if p)

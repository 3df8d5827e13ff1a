"""Cards in the terminal: rich panels for a person, plain text for pipes and scripts.

The only place that knows how a Card looks in a terminal (as bot/frontends/discord/render.py is for Discord).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TextIO

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from bot.core.paging import FENCE
from bot.core.safe_text import storable
from bot.presenters.cards import Card, ChannelRef, FieldValue

FIGURE_LABEL = "図 (figure)"
HERE = "このターミナル (this terminal)"  # the terminal is the simulated server's one channel
INLINE_FIELD_CHARS = 40  # as bot/frontends/discord/render.py: longer field values get their own block
# control characters (ESC, C1, bidi overrides) in stored answers or names would drive the terminal: shown escaped
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe to print: newlines and tabs kept, other control characters written as `\\x1b`, code points
    no terminal encoding can write (lone surrogates) as U+FFFD."""
    return _CONTROL.sub(_escape, storable(text).replace("\r\n", "\n"))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def text_heading(filename: str) -> str:
    """The line above an attached text as the terminal prints it (Discord attaches the file)."""
    return f"--- {printable(filename)} (添付 / attached) ---"


TEXT_END = "--- ここまで (end) ---"


def value_text(value: FieldValue) -> str:
    return HERE if isinstance(value, ChannelRef) else value


def printable_card(card: Card) -> Card:
    return replace(card, title=printable(card.title), description=printable(card.description),
                   fields=tuple((printable(name), printable(value_text(value))) for name, value in card.fields),
                   footer=printable(card.footer), small_print=printable(card.small_print))


def button_hints(buttons: tuple[tuple[str, str], ...]) -> str:
    """(("Answer", "/answer"), ("Reveal", "/reveal")) -> "[Answer] /answer  [Reveal] /reveal"."""
    return "  ".join(f"[{label}] {command}" for label, command in buttons)


def card_text(card: Card) -> str:
    """A card as plain text: the Markdown as written (code blocks keep their line breaks)."""
    lines = [f"== {card.title} =="]
    if card.description:
        lines.append(card.description)
    if card.small_print:
        lines.append(card.small_print)
    for name, field in card.fields:
        value = value_text(field)
        lines.append(f"{name}:\n{value}" if "\n" in value else f"{name}: {value}")
    if card.image is not None:
        lines.append(f"{FIGURE_LABEL}: {card.image}")
    if card.footer:
        lines.append(f"-- {card.footer}")
    return "\n".join(lines)


def terminal_markdown(text: str) -> str:
    """Discord Markdown to CommonMark for rich: a newline is a line break, `-# small text` (in stored text) is dimmed."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        match = FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker.startswith(fence[0]) and len(marker) >= len(fence):
                fence = None
            out.append(line)
            continue
        if fence is None:
            if line.startswith("-# "):
                line = f"*{line[3:].strip()}*"
            if line.strip():
                line += "  "  # a hard line break, as Discord shows it
        out.append(line)
    return "\n".join(out)


class TrimmedMarkdown:
    """Markdown without the blank lines rich puts before a leading quote or list and after the last block."""

    def __init__(self, text: str):
        self.markdown = Markdown(terminal_markdown(text), code_theme="monokai")

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.markdown, options, pad=False)
        blank = [not "".join(segment.text for segment in line).strip() for line in lines]
        start = blank.index(False) if False in blank else len(lines)
        end = len(lines) - blank[::-1].index(False) if False in blank else start
        for line in lines[start:end]:
            yield from line
            yield Segment.line()


class PlainRenderer:
    """No colour, no box drawing: notes, cards and hints as text blocks with a blank line between."""

    def __init__(self, out: TextIO):
        self.out = out

    def show(self, notes: Sequence[str] = (), cards: Sequence[Card] = (), buttons: tuple[tuple[str, str], ...] = (),
             *, error: bool = False, texts: Sequence[tuple[str, str]] = ()) -> None:
        blocks = ["\n".join(notes)] if notes else []
        blocks += [card_text(card) for card in cards]
        blocks += [f"{text_heading(name)}\n{text}\n{TEXT_END}" for name, text in texts]
        if buttons:
            blocks.append(button_hints(buttons))
        if blocks:
            self.out.write(printable("\n\n".join(blocks)) + "\n\n")
            self.out.flush()


class RichRenderer:
    """Panels coloured like the Discord embed, Markdown rendered, Japanese aligned by display width."""

    def __init__(self, out: TextIO, *, width: int | None = None):
        self.console = Console(file=out, width=width, highlight=False, emoji=False)

    def show(self, notes: Sequence[str] = (), cards: Sequence[Card] = (), buttons: tuple[tuple[str, str], ...] = (),
             *, error: bool = False, texts: Sequence[tuple[str, str]] = ()) -> None:
        for note in notes:
            self.console.print(Text(printable(note), style="bold red" if error else "yellow"))
        for card in cards:
            self.console.print(self.panel(printable_card(card)))
        for name, text in texts:  # outside any panel, so it copies without borders
            self.console.print(Text(text_heading(name), style="dim"))
            self.console.print(Text(printable(text)), soft_wrap=True)
            self.console.print(Text(TEXT_END, style="dim"))
        if buttons:
            self.console.print(self.hints(buttons))

    def panel(self, card: Card) -> Panel:
        parts: list[RenderableType] = [Text(card.title, style="bold")]
        if card.description:
            parts.append(TrimmedMarkdown(card.description))
        if card.small_print:
            parts.append(Text(card.small_print, style="dim"))
        parts += self._fields(tuple((name, value_text(value)) for name, value in card.fields))
        if card.image is not None:
            parts.append(Text(f"{FIGURE_LABEL}: {card.image}", style="cyan"))
        if card.footer:
            parts.append(Text(card.footer, style="dim"))
        spaced: list[RenderableType] = []
        for part in parts:
            spaced += [Text(""), part] if spaced else [part]
        return Panel(Group(*spaced), border_style=Style(color=f"#{card.color:06x}"), padding=(0, 1))

    @staticmethod
    def _fields(fields: tuple[tuple[str, str], ...]) -> list[RenderableType]:
        """Short one-line fields side by side in a grid (Discord's inline fields), long ones as blocks."""
        out: list[RenderableType] = []
        grid: Table | None = None
        for name, value in fields:
            if len(value) <= INLINE_FIELD_CHARS and "\n" not in value:
                if grid is None:
                    grid = Table.grid(padding=(0, 2))
                    grid.add_column(style="bold", no_wrap=True)
                    grid.add_column()
                    out.append(grid)
                grid.add_row(name, TrimmedMarkdown(value))
            else:
                grid = None
                out.append(Group(Text(name, style="bold"), TrimmedMarkdown(value)))
        return out

    @staticmethod
    def hints(buttons: tuple[tuple[str, str], ...]) -> Text:
        text = Text()
        for n, (label, command) in enumerate(buttons):
            if n:
                text.append("  ")
            text.append(f"[{printable(label)}]", style="bold reverse")
            text.append(f" {printable(command)}", style="cyan")
        return text

"""/privacy export and /privacy forget: a member's own data in this server, to take away or to delete.

Forgetting asks first: the reply carries a confirm and a cancel action (Discord's buttons; in the
terminal, `/privacy confirm`). A manager may forget a member who has left (`member:`), never one still
in the server; every check is made again when the deletion is confirmed.
"""
from __future__ import annotations

import gzip
import json
from datetime import timedelta

from bot.commands.spec import Action, Args, Attachment, Invocation, MemberRef, Reply
from bot.core.errors import StudyError
from bot.presenters.privacy import (
    CANCEL_LABEL,
    CONFIRM_LABEL,
    cancelled_card,
    export_card,
    forget_prompt_card,
    forgotten_card,
    nothing_stored_card,
)

CONFIRM_WITHIN = timedelta(minutes=15)
# Discord's upload limit is 10 MiB: a larger export goes gzip-compressed (JSON text shrinks several times)
ATTACHMENT_LIMIT = 10 * 1024 * 1024 - 64 * 1024
ONLY_MANAGERS = ("ほかのメンバーのデータを削除できるのはサーバー管理者（サーバー管理権限）だけです。"
                 "自分のデータなら member を省いてください。 (Only server managers may forget another member.)")
STILL_HERE = ("{name} さんはまだこのサーバーのメンバーです。本人が /privacy forget で削除できます"
              "（管理者が削除できるのはサーバーを抜けたメンバーだけです）。 (That member is still in the server.)")
EXPIRED = ("この確認は期限切れです（{minutes} 分以内に押してください）。もう一度 /privacy forget を実行してください。"
           " (This confirmation has expired; run /privacy forget again.)")
TOO_LARGE = "データが大きすぎてファイルにできませんでした。管理者に連絡してください。 (Your data is too large to send as a file.)"


def export_file(data: dict[str, object], stem: str) -> Attachment:
    """The export as JSON (members can read it as it is), compressed only when it would not fit."""
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")
    if len(text) <= ATTACHMENT_LIMIT:
        return Attachment(f"{stem}.json", text)
    packed = gzip.compress(text, mtime=0)
    if len(packed) > ATTACHMENT_LIMIT:
        raise StudyError(TOO_LARGE)
    return Attachment(f"{stem}.json.gz", packed)


async def export(ctx: Invocation, args: Args) -> Reply:
    guild = ctx.guild()
    privacy = ctx.services.privacy
    data = privacy.export(guild, ctx.user_id)
    file = export_file(data, f"studybot-data-{ctx.services.study.now():%Y%m%d}")
    return Reply((export_card(privacy.stored(guild, ctx.user_id), file.filename),), attachments=(file,))


async def _target(ctx: Invocation, who: MemberRef | None) -> tuple[int, str | None, bool]:
    """Whose data (user id, name, whether it is the caller's own), refusing what the caller may not forget."""
    if who is None or who.user_id == ctx.user_id:
        return ctx.user_id, ctx.display_name, True
    if not ctx.surface.manages_server():
        raise StudyError(ONLY_MANAGERS)
    name = who.name or ctx.services.privacy.name(ctx.guild(), who.user_id)  # a button knows only the id
    if await ctx.surface.in_server(ctx.guild(), who.user_id):
        raise StudyError(STILL_HERE.format(name=name or who.user_id))
    return who.user_id, name, False


async def forget(ctx: Invocation, args: Args) -> Reply:
    """Shows what would be deleted and asks for confirmation; deletes nothing itself."""
    guild = ctx.guild()
    user_id, name, own = await _target(ctx, args.get("member"))
    counts = ctx.services.privacy.stored(guild, user_id)
    if not any(counts.values()):
        return Reply((nothing_stored_card(name, own),))
    issued = int(ctx.services.study.now().timestamp())
    typed = "/privacy confirm" if own else f"/privacy confirm {name or user_id}"
    actions = (Action("forget", value=f"{user_id}:{issued}", label=CONFIRM_LABEL, typed=typed),
               Action("forget_cancel", label=CANCEL_LABEL, typed="何も入力しなければ削除しません (type nothing to keep it)"))
    minutes = int(CONFIRM_WITHIN.total_seconds() // 60)
    return Reply((forget_prompt_card(name, own, counts, minutes),), actions)


async def confirm(ctx: Invocation, args: Args) -> Reply:
    """The confirmation: checks again who may forget whom (and, from a button, that it is recent), then deletes."""
    issued = args.get("issued")
    if issued is not None and ctx.services.study.now().timestamp() - int(issued) > CONFIRM_WITHIN.total_seconds():
        raise StudyError(EXPIRED.format(minutes=int(CONFIRM_WITHIN.total_seconds() // 60)))
    guild = ctx.guild()
    user_id, name, own = await _target(ctx, args.get("member"))
    forgotten = ctx.services.privacy.forget(guild, user_id)
    if forgotten.total == 0:
        return Reply((nothing_stored_card(name, own),))
    return Reply((forgotten_card(name, own, forgotten.deleted),))


async def cancel(ctx: Invocation, args: Args) -> Reply:
    return Reply((cancelled_card(),))

"""Errors a member can act on. Their text is shown as is, so it is written for Japanese members."""
from __future__ import annotations

from bot.core.paging import shorten

QUOTE_LIMIT = 50  # what a member typed is echoed at most this long, so the message always fits a reply


def quoted(text: str) -> str:
    """Member input for an error message: one line, without backticks (it goes inside `…`), shortened."""
    return shorten(" ".join(text.split()).replace("`", "'"), QUOTE_LIMIT)


class StudyError(Exception):
    """A problem with what the member asked for; `message` is safe to show them."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnknownQuestion(StudyError):
    def __init__(self, question_id: str):
        super().__init__(f"問題 `{quoted(question_id)}` は見つかりません。/question で問題を引くか、候補から選んでください。"
                         " (Unknown question id.)")
        self.question_id = question_id


class NoCurrentQuestion(StudyError):
    def __init__(self) -> None:
        # the same words fit /answer and /reveal (and their buttons' text boxes)
        super().__init__("まだ問題を引いていません。先に /question で問題を出してください。"
                         " (No current question: draw one with /question first.)")


class InvalidAnswer(StudyError):
    def __init__(self, message: str, text: str | None = None):
        super().__init__(message)
        self.text = text  # what the member wrote: every front end gives it back, so nothing typed is lost


class StorageBusy(StudyError):
    """Another connection (a backup, `studybot load`, an sqlite3 shell) held the database's write lock
    longer than a writer waits for it (db.connection.WRITE_WAIT_SECONDS). Nothing was written."""

    def __init__(self) -> None:
        super().__init__("データベースが混み合っていて保存できませんでした。少し待ってからもう一度お試しください。"
                         " (The database is busy; nothing was saved. Try again in a moment.)")


class AnswerNotSaved(StudyError):
    """Saving an answer failed (the database was busy past the wait, or any other error): the member
    gets `text` back with a way to send it again, never a bare apology."""

    def __init__(self, text: str, question_id: str, *, busy: bool):
        why = ("データベースが混み合っていたため" if busy else "保存中にエラーが起きたため")
        super().__init__(f"{why}、回答を保存できませんでした。書いた回答はここにあります。"
                         " (Your answer could not be saved; here it is.)")
        self.text = text  # as it would have been saved (cleaned)
        self.question_id = question_id
        self.busy = busy


class NoQuestionsLeft(StudyError):
    def __init__(self, what: str):
        super().__init__(f"{quoted(what)} の問題が見つかりません。レベルやカテゴリを変えてみてください。 (No questions match.)")

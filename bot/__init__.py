"""studybot: daily ML interview practice for Discord and the terminal."""
import db  # noqa: F401  # first: sqlite-utils then loads without pandas and numpy (db/__init__.py says why)

"""The health check's question to the database."""

from sqlalchemy import text


def probe(session) -> None:
    session.execute(text("SELECT 1"))

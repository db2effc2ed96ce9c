"""What the database driver says about a connection's transaction, on either backend: for
tests that check which statements run inside a transaction and which run on their own."""

from __future__ import annotations

from sqlalchemy import Connection


def driver_in_transaction(conn: Connection) -> bool:
    """Whether the driver's connection under `conn` has a transaction open (sqlite3's
    `in_transaction`, psycopg's transaction status)."""
    driver = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        return bool(driver.in_transaction)  # type: ignore[union-attr]
    from psycopg.pq import TransactionStatus

    return driver.info.transaction_status != TransactionStatus.IDLE  # type: ignore[union-attr]

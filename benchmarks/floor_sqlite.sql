-- The floor bench_posting.py measures transfer_post against on SQLite: the same posting on
-- minimal tables (a primary key each and the idempotency key's unique index, nothing else), in a file of its own with the app's
-- settings (WAL, synchronous=NORMAL), through the bare sqlite3 module.
CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL DEFAULT 0,
    min_balance INTEGER NOT NULL DEFAULT -600);
CREATE TABLE transfer (id INTEGER PRIMARY KEY, memo TEXT NOT NULL, created_at TEXT NOT NULL,
    idempotency_key TEXT UNIQUE);
CREATE TABLE entry (id INTEGER PRIMARY KEY, transfer_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL, amount INTEGER NOT NULL);
CREATE TABLE audit (id INTEGER PRIMARY KEY, action TEXT NOT NULL, target TEXT NOT NULL,
    created_at TEXT NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO account (id) SELECT i FROM n;

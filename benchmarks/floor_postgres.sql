-- The floors bench_posting.py measures transfer_post against on PostgreSQL: the same posting
-- (lock both accounts in id order, look the idempotency key up, check the payer's limit, write a
-- transfer, two entries, both balances and an audit row) on minimal tables, with a primary key
-- each and the key's unique index, nothing else: no foreign keys, no other index, no trigger. In a schema of its own in the benchmark's database.
DROP SCHEMA IF EXISTS floor CASCADE;
CREATE SCHEMA floor;
CREATE TABLE floor.account (id bigint PRIMARY KEY, balance bigint NOT NULL DEFAULT 0,
    min_balance bigint NOT NULL DEFAULT -600) WITH (fillfactor = 50);
CREATE TABLE floor.transfer (id bigserial PRIMARY KEY, memo text NOT NULL,
    created_at timestamptz NOT NULL, idempotency_key text UNIQUE);
CREATE TABLE floor.entry (id bigserial PRIMARY KEY, transfer_id bigint NOT NULL,
    account_id bigint NOT NULL, amount bigint NOT NULL);
CREATE TABLE floor.audit (id bigserial PRIMARY KEY, action text NOT NULL, target text NOT NULL,
    created_at timestamptz NOT NULL);
CREATE TABLE floor.one (id bigserial PRIMARY KEY, n bigint NOT NULL);
INSERT INTO floor.account (id) SELECT generate_series(1, 1000);

-- The one-round-trip floor: the posting in one plpgsql call.
CREATE FUNCTION floor.post(p_payer bigint, p_payee bigint, p_amount bigint, p_key text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t bigint;
    payer_after bigint;
    payer_min bigint;
BEGIN
    PERFORM 1 FROM floor.account WHERE id IN (p_payer, p_payee) ORDER BY id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM floor.transfer WHERE idempotency_key = p_key) THEN
        RETURN NULL;
    END IF;
    SELECT balance - p_amount, min_balance INTO payer_after, payer_min
        FROM floor.account WHERE id = p_payer;
    IF payer_after < payer_min THEN
        RETURN NULL;
    END IF;
    INSERT INTO floor.transfer (memo, created_at, idempotency_key)
        VALUES ('floor', now(), p_key) RETURNING id INTO t;
    INSERT INTO floor.entry (transfer_id, account_id, amount)
        VALUES (t, p_payer, -p_amount), (t, p_payee, p_amount);
    UPDATE floor.account SET balance = balance - p_amount WHERE id = p_payer;
    UPDATE floor.account SET balance = balance + p_amount WHERE id = p_payee;
    INSERT INTO floor.audit (action, target, created_at) VALUES ('posted', t::text, now());
    RETURN t;
END $$;

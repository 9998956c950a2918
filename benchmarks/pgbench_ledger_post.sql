-- The PostgreSQL ceiling of a posting without Python: pgbench calling ledger_transfer_post
-- (migration 0003) as transfer_post does, one posting per transaction, between random members of
-- a time bank that benchmarks/bench_ledger.py built. Give that time bank's id and its accounts'
-- id range:
--   pgbench -n -c 1 -T 10 -f benchmarks/pgbench_ledger_post.sql \
--       -D timebank=7 -D first=6001 -D last=7000 "$DATABASE_URL"
\set payer random(:first, :last)
\set payee random(:first, :last - 1)
\set payee :payee + (CASE WHEN :payee >= :payer THEN 1 ELSE 0 END)
SELECT status FROM ledger_transfer_post(:timebank, ARRAY[:payer, :payee]::bigint[],
    ARRAY[-30, 30]::bigint[], 'exchange', 'pgbench', now(), now(), NULL, NULL,
    'pgbench:' || gen_random_uuid(), NULL, gen_random_uuid(), '', false, true,
    'ledger.transfer_posted', 'transfer:pgbench', '{"kind": "exchange"}'::jsonb);

-- ledger_transfer_post, version 5 (ledger/0009): as version 4, returning less when it posts.
-- Version 4 built and returned seven arrays describing the locked accounts on every call; the
-- caller reads them only to explain a refusal. Now a posting returns the accounts' ids and their
-- balances after it, in the caller's order of legs (what transfer_post hands back to the Account
-- objects it was given), and only a refusal reads the locked accounts into the seven arrays (they
-- stay locked until the caller's transaction ends, so that reading is what the checks saw).
-- Its settings (generic plans, enable_seqscan = off) are version 4's, for the same reasons.
CREATE OR REPLACE FUNCTION ledger_transfer_post(
    p_timebank_id bigint,
    p_account_ids bigint[],       -- the legs, in the caller's order…
    p_amounts bigint[],           -- …and their amounts
    p_kind text,
    p_memo text,
    p_occurred_at timestamptz,
    p_created_at timestamptz,
    p_created_by_id bigint,
    p_on_behalf_of_id bigint,
    p_idempotency_key text,
    p_reverses_id bigint,
    p_public_id uuid,
    p_override_reason text,       -- already stripped; '' for none
    p_may_override boolean,       -- whether the person acting may take an account past a limit
    p_enforce_limits boolean,     -- false for a reversal
    p_audit_action text,
    p_audit_target text,
    p_audit_data jsonb,
    OUT status text,              -- 'posted', 'existing', 'refused' or 'already_reversed'
    OUT transfer_id bigint,       -- the new transfer, or the one posted before with the same key
    OUT override_reason text,     -- the reason as recorded on the transfer
    -- 'refused': the accounts found and locked, in id order, as they were; 'posted': the legs'
    -- accounts in the caller's order and their balances after the posting (the rest NULL).
    OUT account_ids bigint[],
    OUT account_timebank_ids bigint[],
    OUT account_units text[],
    OUT account_balances bigint[],
    OUT account_min_balances bigint[],
    OUT account_max_balances bigint[],
    OUT account_closed boolean[]
) LANGUAGE plpgsql
-- Every statement here is a look-up or write by key, for which a generic plan is as good as a
-- custom one; left to choose, PostgreSQL re-plans some of them on every call, which costs more
-- than running them.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
AS $$
DECLARE
    legs int := cardinality(p_account_ids);
    found_legs int := 0;
    first_unit text;
    balances_after bigint[] := array_fill(NULL::bigint, ARRAY[legs]);
    account record;
    leg int;
    delta bigint;
    leg_units text[] := array_fill(NULL::text, ARRAY[legs]);
    unusable boolean := false;
    mixed_units boolean := false;
    total bigint := 0;
    breach boolean := false;
BEGIN
    -- The row locks, taken in id order, close the race of two postings reading the same balance
    -- and both passing the limit check; the fixed order means two postings never deadlock.
    FOR account IN
        SELECT a.id, a.timebank_id, a.unit, a.balance, a.min_balance, a.max_balance,
               a.closed_at IS NOT NULL AS is_closed
        FROM ledger_account a WHERE a.id = ANY (p_account_ids) ORDER BY a.id FOR UPDATE
    LOOP
        found_legs := found_legs + 1;
        first_unit := coalesce(first_unit, account.unit);
        leg := array_position(p_account_ids, account.id);
        delta := p_amounts[leg];
        leg_units[leg] := account.unit;
        balances_after[leg] := account.balance + delta;
        unusable := unusable OR account.timebank_id <> p_timebank_id OR account.is_closed;
        mixed_units := mixed_units OR account.unit <> first_unit;
        total := total + delta;
        -- Only a movement further past a limit is refused: an account left past a limit that
        -- was later tightened may still move back towards it.
        breach := breach OR (p_enforce_limits AND (
            (delta < 0 AND account.balance + delta < account.min_balance)
            OR (delta > 0 AND account.max_balance IS NOT NULL
                AND account.balance + delta > account.max_balance)));
    END LOOP;

    -- Checked after the locks: a retry of the same posting waits for the first to commit and
    -- then finds it here, instead of posting twice.
    IF found_legs = legs AND p_idempotency_key IS NOT NULL THEN
        SELECT t.id INTO transfer_id FROM ledger_transfer t
            WHERE t.timebank_id = p_timebank_id AND t.idempotency_key = p_idempotency_key;
        IF FOUND THEN
            status := 'existing';
            RETURN;
        END IF;
    END IF;

    IF found_legs <> legs  -- an account does not exist
        OR unusable
        OR (mixed_units AND legs = 2)
        OR (NOT mixed_units AND total <> 0)
        OR (mixed_units AND EXISTS (
            SELECT FROM unnest(leg_units, p_amounts) AS e(unit, amount)
            GROUP BY e.unit HAVING sum(e.amount) <> 0))
        OR (breach AND (p_override_reason = '' OR NOT p_may_override))
    THEN
        status := 'refused';
        -- The caller explains the refusal from the accounts as this call found them (still
        -- locked by it, so unchanged).
        SELECT array_agg(a.id ORDER BY a.id), array_agg(a.timebank_id ORDER BY a.id),
               array_agg(a.unit ORDER BY a.id), array_agg(a.balance ORDER BY a.id),
               array_agg(a.min_balance ORDER BY a.id), array_agg(a.max_balance ORDER BY a.id),
               array_agg(a.closed_at IS NOT NULL ORDER BY a.id)
            INTO account_ids, account_timebank_ids, account_units, account_balances,
                account_min_balances, account_max_balances, account_closed
            FROM ledger_account a WHERE a.id = ANY (p_account_ids);
        RETURN;
    END IF;

    override_reason := CASE
        WHEN breach OR p_reverses_id IS NOT NULL THEN p_override_reason ELSE '' END;
    INSERT INTO ledger_transfer (timebank_id, public_id, kind, memo, occurred_at, created_at,
            created_by_id, on_behalf_of_id, idempotency_key, reverses_id, override_reason)
        VALUES (p_timebank_id, p_public_id, p_kind, p_memo, p_occurred_at, p_created_at,
            p_created_by_id, p_on_behalf_of_id, p_idempotency_key, p_reverses_id, override_reason)
        ON CONFLICT DO NOTHING
        RETURNING id INTO transfer_id;
    IF NOT FOUND THEN
        -- Another posting got past the look-up first: one with the same key on other accounts
        -- (the locks serialise the rest), or another reversal of the same transfer. The unique
        -- index waited for it to commit; say so rather than raise, so that the caller's
        -- transaction needs no savepoint around this call.
        SELECT t.id INTO transfer_id FROM ledger_transfer t
            WHERE t.timebank_id = p_timebank_id AND t.idempotency_key = p_idempotency_key;
        status := CASE WHEN FOUND THEN 'existing' ELSE 'already_reversed' END;
        RETURN;
    END IF;

    INSERT INTO ledger_entry (transfer_id, account_id, timebank_id, unit, amount, occurred_at,
            kind)
        SELECT transfer_id, e.account_id, p_timebank_id, e.unit, e.amount, p_occurred_at, p_kind
        FROM unnest(p_account_ids, leg_units, p_amounts) AS e(account_id, unit, amount);
    UPDATE ledger_account a SET balance = a.balance + e.amount
        FROM unnest(p_account_ids, p_amounts) AS e(account_id, amount)
        WHERE a.id = e.account_id;
    INSERT INTO core_auditevent (timebank_id, actor_id, on_behalf_of_id, action, target, data,
            created_at)
        VALUES (p_timebank_id, p_created_by_id, p_on_behalf_of_id, p_audit_action,
            p_audit_target,
            CASE WHEN override_reason = '' THEN p_audit_data
                ELSE p_audit_data || jsonb_build_object('override_reason', override_reason) END,
            p_created_at);
    account_ids := p_account_ids;
    account_balances := balances_after;
    status := 'posted';
END $$

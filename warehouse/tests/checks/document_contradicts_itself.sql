{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
-- One document giving two different figures for the same metric, unit, period, claimant,
-- supplier and recipient (nulls match nulls). Two figures differ only when their intervals
-- [value_low, value_high] cannot both be true, i.e. they do not overlap (an open bound is
-- unbounded): "at least 10,000" and "13,000" agree, a range and a figure inside it agree,
-- "64 voyages" and "70 voyages" do not. A document quoting two claimants who disagree is
-- reporting a dispute, not contradicting itself, so claimants must match.
-- One row per conflicting pair of claims.
with

claims as (
    select * from {{ ref('claims') }}
),

figures as (
    select
        claim_id,
        doc_id,
        file_name,
        claim_seq,
        metric,
        unit,
        attributed_to,
        supplier,
        recipient,
        period_start,
        period_end,
        value_low,
        value_high,
        coalesce(value_low, '-infinity'::double) as lower_bound,
        coalesce(value_high, 'infinity'::double) as upper_bound,
        quote
    from claims
)

select
    a.doc_id,
    a.file_name,
    a.metric,
    a.unit,
    a.attributed_to,
    a.period_start,
    a.period_end,
    a.claim_id as first_claim_id,
    a.value_low as first_low,
    a.value_high as first_high,
    a.quote as first_quote,
    b.claim_id as second_claim_id,
    b.value_low as second_low,
    b.value_high as second_high,
    b.quote as second_quote
from figures as a
inner join figures as b
    on a.doc_id = b.doc_id
    and a.claim_seq < b.claim_seq
    and a.metric = b.metric
    and a.unit = b.unit
    and a.attributed_to is not distinct from b.attributed_to
    and a.supplier is not distinct from b.supplier
    and a.recipient is not distinct from b.recipient
    and a.period_start is not distinct from b.period_start
    and a.period_end is not distinct from b.period_end
where a.upper_bound < b.lower_bound or b.upper_bound < a.lower_bound
order by a.doc_id, a.claim_seq, b.claim_seq

{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
-- Shares above 100%: for one source (claimant, else the outlet, else the file - as in
-- marts.metric_estimates), share metric (unit percent), recipient and period, the shares it
-- gives for different suppliers add up to more than 100. Each supplier counts once, at the
-- lowest figure that source gives for it (its most conservative reading); a claim with no
-- supplier counts as one unknown supplier. A single share above 100 is caught too (the
-- error-level assertion claims_percent_within_0_100 also blocks it).
with

claims as (
    select * from {{ ref('claims') }} where unit = 'percent'
),

per_supplier as (
    select
        coalesce(attributed_to, outlet, file_name) as source,
        metric,
        recipient,
        period_start,
        period_end,
        coalesce(supplier, '?') as supplier,
        min(coalesce(value_low, value_high)) as share,
        min(claim_id) as example_claim_id
    from claims
    where coalesce(value_low, value_high) is not null
    group by all
)

select
    source,
    metric,
    recipient,
    period_start,
    period_end,
    sum(share) as total_share,
    count(*) as n_suppliers,
    list(supplier || ': ' || share order by supplier) as shares,
    list(example_claim_id order by supplier) as claim_ids
from per_supplier
group by source, metric, recipient, period_start, period_end
having sum(share) > 100
order by source, metric

{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
-- tolerance: 0.25
-- Voyages (metric shipments) and containers claimed for a period against the shipment ledger
-- (marts.shipments): the voyages it lists as departing in that period, or the sum of their
-- containers (voyages with no count add nothing, see ledger_voyages_uncounted).
-- One row per claim beyond tolerance.
-- Period: period_start .. coalesce(period_end, published); claims without a period_start are
-- not comparable and are skipped, as are claims whose period misses the ledger's coverage.
-- Rule, with low = value_low and high = value_high (null = open bound):
--   the claim is contradicted when ledger < low * (1 - tolerance)
--                               or ledger > high * (1 + tolerance).
--   exact/approx (low = high) therefore fail either way; "at least X" (high null) fails only
--   when the ledger is far below X; "at most X" (low null) only when it is far above X.
-- relative_difference = (ledger - bound) / bound for the bound that is broken.
with

claims as (
    select * from {{ ref('claims') }} where metric in ('shipments', 'containers')
),

shipments as (
    select * from {{ ref('shipments') }}
),

params as (
    select 0.25 as tolerance
),

coverage as (
    select min(departure_date) as ledger_first, max(departure_date) as ledger_last from shipments
),

periods as (
    select
        claim_id,
        doc_id,
        metric,
        file_name,
        attributed_to,
        qualifier,
        value_low,
        value_high,
        period_start,
        coalesce(period_end, published) as period_end,
        quote
    from claims
    where period_start is not null and coalesce(period_end, published) is not null
),

compared as (
    select
        periods.*,
        coverage.ledger_first,
        coverage.ledger_last,
        (
            select case periods.metric when 'shipments' then count(*) else coalesce(sum(containers), 0) end
            from shipments
            where shipments.departure_date between periods.period_start and periods.period_end
        ) as ledger_figure,
        (
            select count(*) from shipments
            where shipments.departure_date between periods.period_start and periods.period_end
                and shipments.containers is null and periods.metric = 'containers'
        ) as ledger_voyages_uncounted
    from periods
    cross join coverage
    where periods.period_start <= coverage.ledger_last
        and periods.period_end >= coverage.ledger_first
),

judged as (
    select
        compared.*,
        params.tolerance,
        case
            when value_low is not null and ledger_figure < value_low * (1 - params.tolerance)
                then value_low
            when value_high is not null and ledger_figure > value_high * (1 + params.tolerance)
                then value_high
        end as broken_bound
    from compared
    cross join params
)

select
    claim_id,
    metric,
    file_name,
    attributed_to,
    qualifier,
    value_low as claim_low,
    value_high as claim_high,
    ledger_figure,
    ledger_voyages_uncounted,
    round((ledger_figure - broken_bound) / broken_bound, 3) as relative_difference,
    tolerance,
    period_start,
    period_end,
    ledger_first,
    ledger_last,
    quote
from judged
where broken_bound is not null
order by claim_id

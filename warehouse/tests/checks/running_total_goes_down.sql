{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
-- A claimant's running total that goes down: for one claimant (attributed_to), cumulative
-- metric, unit, supplier, recipient and period_start (null = "to date"), a claim whose figure
-- as of a later date is lower than a figure the same claimant gave as of an earlier date.
-- "As of" is period_end, or the published date when the period is open; claims with neither
-- cannot be ordered and are skipped. A drop is certain only when the later claim's upper bound
-- (value_high) is below the earlier claim's lower bound (value_low): "at least X" later, or
-- "at most X" earlier, never counts as a drop. No tolerance: a cumulative figure should
-- never fall. One row per later claim, against the highest earlier lower bound it undercuts, as
-- the first claim (earliest as-of date, then claim id) to give that bound said it.
with

claims as (
    select * from {{ ref('claims') }}
),

cumulative_metrics as (
    select * from (
        values
            ('shipments'), ('containers'), ('rail_cars'), ('explosives_tonnes'),
            ('artillery_shells'), ('ballistic_missiles'), ('artillery_systems'),
            ('rocket_launchers'), ('troop_reinforcements'), ('troop_casualties'),
            ('troops_killed'), ('troops_wounded'), ('troops_captured'), ('workers_sent')
    ) as t (metric)
),

totals as (
    select
        claim_id,
        file_name,
        attributed_to,
        metric,
        unit,
        supplier,
        recipient,
        period_start,
        coalesce(period_end, published) as as_of,
        value_low,
        value_high,
        quote
    from claims
    where attributed_to is not null
        and coalesce(period_end, published) is not null
        and metric in (select metric from cumulative_metrics)
),

-- The highest lower bound given as of any strictly earlier date, per series: a window, not a
-- self-join, so the check stays linear in the number of claims.
with_earlier as (
    select
        *,
        max(value_low) over (
            partition by attributed_to, metric, unit, supplier, recipient, period_start
            order by as_of
            range between unbounded preceding and interval 1 day preceding
        ) as earlier_max_low
    from totals
),

undercut as (
    select * from with_earlier
    where value_high < earlier_max_low
),

-- The first claim to give each lower bound of a series: one row per bound, so each later claim
-- meets exactly one earlier claim (many claims repeating a figure do not multiply the join).
first_bounds as (
    select * from totals
    where value_low is not null
    qualify row_number() over (
        partition by attributed_to, metric, unit, supplier, recipient, period_start, value_low
        order by as_of, claim_id
    ) = 1
),

drops as (
    select
        later.claim_id,
        later.attributed_to,
        later.metric,
        later.unit,
        later.as_of,
        later.value_high as later_figure,
        later.quote as later_quote,
        later.file_name as later_file,
        earlier.claim_id as earlier_claim_id,
        earlier.as_of as earlier_as_of,
        earlier.value_low as earlier_figure,
        earlier.quote as earlier_quote,
        earlier.file_name as earlier_file
    from undercut as later
    inner join first_bounds as earlier
        on later.attributed_to = earlier.attributed_to
        and later.metric = earlier.metric
        and later.unit = earlier.unit
        and later.supplier is not distinct from earlier.supplier
        and later.recipient is not distinct from earlier.recipient
        and later.period_start is not distinct from earlier.period_start
        and earlier.value_low = later.earlier_max_low
)

select
    attributed_to,
    metric,
    unit,
    earlier_claim_id,
    earlier_as_of,
    earlier_figure,
    claim_id as later_claim_id,
    as_of as later_as_of,
    later_figure,
    earlier_file,
    later_file,
    earlier_quote,
    later_quote
from drops
order by attributed_to, metric, later_as_of, later_claim_id

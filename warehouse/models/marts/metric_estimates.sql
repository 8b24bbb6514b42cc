-- grain: one row per (metric, unit, source, value_low, value_high): every source's figure
-- for a metric side by side; key: estimate_id. source is the claimant, or the outlet when the
-- outlet states the figure on its own authority (named in the front matter, else found on the
-- page by the extractor: claimant with claimant_kind 'outlet').
with

claims as (
    select * from {{ ref('claims') }}
),

estimates as (
    select
        metric,
        unit,
        coalesce(attributed_to, outlet, claimant, file_name) as source,
        bool_and(attributed_to is null) as outlet_own_figure,
        value_low,
        value_high,
        mode(qualifier) as qualifier,
        min(period_start) as period_start,
        max(period_end) as period_end,
        count(distinct doc_id) as n_documents,
        min(published) as first_published,
        max(published) as last_published,
        list(distinct file_name order by file_name) as documents,
        min(quote) as example_quote
    from claims
    group by metric, unit, coalesce(attributed_to, outlet, claimant, file_name), value_low, value_high
)

select
    -- json_array keeps nulls in place: 'at least N' and 'up to N' must not share a key
    md5(json_array(metric, unit, source, value_low, value_high)::varchar) as estimate_id,
    *,
    coalesce((value_low + value_high) / 2, value_low, value_high) as value_mid,
    count(*) over (partition by metric, unit) as n_estimates_for_metric,
    min(coalesce(value_low, value_high)) over (partition by metric, unit) as metric_min,
    max(coalesce(value_high, value_low)) over (partition by metric, unit) as metric_max
from estimates
order by metric, unit, value_mid, source

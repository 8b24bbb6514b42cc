-- grain: one row per distinct figure (metric, unit, value_low, value_high) across documents;
-- key: claim_group_id. Syndicated copies and restatements of one figure land in one group.
with

claims as (
    select * from {{ ref('claims') }}
)

select
    -- json_array keeps nulls in place: 'at least N' and 'up to N' must not share a key
    md5(json_array(metric, unit, value_low, value_high)::varchar) as claim_group_id,
    metric,
    unit,
    value_low,
    value_high,
    count(*) as n_claims,
    count(distinct doc_id) as n_documents,
    count(distinct coalesce(attributed_to, outlet, file_name)) as n_independent_sources,
    list(distinct attributed_to order by attributed_to) filter (where attributed_to is not null)
        as claimants,
    list(distinct file_name order by file_name) as documents,
    min(published) as first_published,
    max(published) as last_published
from claims
group by metric, unit, value_low, value_high
order by metric, coalesce(value_low, value_high)

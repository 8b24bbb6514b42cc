-- grain: one row per figure reported in a table (troop, casualty, equipment tables);
-- key: figure_id
with

figures as (
    select * from {{ source('staging', 'stg_tables__figures') }}
)

select
    sha256[1:16] || ':' || sheet || ':' || row_number as figure_id,
    source_file,
    metric,
    value_low,
    value_high,
    unit,
    qualifier,
    period_start,
    period_end,
    source,
    note
from figures
order by metric, period_end nulls last, source

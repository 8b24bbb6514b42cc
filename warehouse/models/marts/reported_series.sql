-- grain: one row per figure of a current dated series (one report date, one metric, one
-- subject, one table); key: point_id (= sha256[1:16]:sheet:row_number:item).
-- For a cumulative series, daily_change is this report's figure less the previous report's
-- (value_low, the stated figure), and days_since_previous says how far back that report is.
with

series as (
    select * from {{ source('staging', 'stg_tables__series') }}
),

contents as (
    select sha256 from {{ ref('stg_inbox__contents') }} where kind = 'table' and is_current
),

entities as (
    select * from {{ ref('stg_reference__entities') }}
),

points as (
    select
        series.*,
        coalesce(subjects.canonical_name, series.subject) as subject_name,
        subjects.iso2 as subject_iso2
    from series
    inner join contents using (sha256)
    left join entities as subjects on subjects.entity_id = series.subject_id
)

select
    sha256[1:16] || ':' || sheet || ':' || row_number || ':' || item as point_id,
    source_file,
    sheet,
    row_number,
    item,
    case when sheet = '' then '' else sheet || ':' end || 'row ' || row_number as locator,
    date,
    metric,
    subject_name as subject,
    subject_id,
    subject_iso2,
    value_low,
    value_high,
    unit,
    qualifier,
    cumulative,
    case when cumulative then
        value_low - lag(value_low) over (
            partition by sha256, sheet, metric, subject_name order by date, row_number
        )
    end as daily_change,
    date - lag(date) over (partition by sha256, sheet, metric, subject_name order by date, row_number)
        as days_since_previous,
    source
from points
order by metric, subject, date, source_file

-- grain: one row per distinct content of a file read from the inbox (loaded, or a duplicate of
-- one) and its kind; key: (sha256, kind)
-- is_current: the newest version at some inbox path holds this content, so a report or a table
-- kept up to date under one name (a daily report, a tracker's next release) counts once.
with

files as (
    select * from {{ source('ops', 'files') }}
    where status in ('loaded', 'duplicate')
),

latest_versions as (
    select
        path,
        sha256,
        kind,
        row_number() over (partition by path order by version desc) as recency
    from files
)

select
    sha256,
    kind,
    min(path) as path,
    bool_or(recency = 1) as is_current
from latest_versions
group by sha256, kind

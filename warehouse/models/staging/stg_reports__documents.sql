-- grain: one row per distinct document content; key: doc_id
-- is_current: the newest version at some inbox path holds this content.
with

raw_documents as (
    select * from {{ source('raw', 'documents') }}
),

files as (
    select * from {{ source('ops', 'files') }}
    where kind = 'text' and status in ('loaded', 'duplicate')
),

latest_versions as (
    select
        path,
        sha256,
        row_number() over (partition by path order by version desc) as recency
    from files
),

current_content as (
    select distinct sha256 from latest_versions where recency = 1
)

select
    d.doc_id,
    d.sha256,
    d.file_name,
    d.format,
    d.title,
    d.url,
    d.outlet,
    d.published,
    d.text,
    length(d.text) as n_chars,
    d.ingested_at,
    d.sha256 in (select sha256 from current_content) as is_current
from raw_documents as d

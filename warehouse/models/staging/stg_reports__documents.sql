-- grain: one row per distinct document content; key: doc_id
-- is_current: the newest version at some inbox path holds this content.
with

raw_documents as (
    select * from {{ source('raw', 'documents') }}
),

current_content as (
    select sha256 from {{ ref('stg_inbox__contents') }} where kind = 'text' and is_current
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
    d.published_source,
    d.outlet_source,
    d.text,
    length(d.text) as n_chars,
    d.ingested_at,
    d.sha256 in (select sha256 from current_content) as is_current
from raw_documents as d

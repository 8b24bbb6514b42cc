-- grain: one row per current document (distinct content); key: doc_id
with

documents as (
    select * from {{ ref('stg_reports__documents') }} where is_current
),

claims as (
    select doc_id, count(*) as n_claims
    from {{ source('staging', 'stg_reports__claims') }}
    group by doc_id
),

mentions as (
    select doc_id, count(*) as n_entity_mentions
    from {{ source('staging', 'stg_reports__entity_mentions') }}
    group by doc_id
)

select
    documents.doc_id,
    documents.file_name,
    documents.format,
    documents.title,
    documents.outlet,
    documents.outlet_source,
    documents.url,
    documents.published,
    documents.published_source,
    documents.n_chars,
    coalesce(claims.n_claims, 0) as n_claims,
    coalesce(mentions.n_entity_mentions, 0) as n_entity_mentions,
    documents.ingested_at,
    documents.text
from documents
left join claims using (doc_id)
left join mentions using (doc_id)
order by documents.published nulls last, documents.file_name

{{ config(severity='error', meta={'table': 'marts.claims', 'tool': 'dbt'}) }}
-- The quote must be the exact text at its offsets (0-based, end exclusive) in the document.
with

claims as (select * from {{ ref('claims') }}),
documents as (select doc_id, text from {{ ref('stg_reports__documents') }})

select claims.claim_id, claims.char_start, claims.char_end, claims.quote
from claims
inner join documents using (doc_id)
where substring(documents.text, claims.char_start + 1, claims.char_end - claims.char_start)
    is distinct from claims.quote

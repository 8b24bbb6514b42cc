-- grain: one row per distinct claim in a current document; key: claim_id (= doc_id:claim_seq)
with

claims as (
    select * from {{ source('staging', 'stg_reports__claims') }}
),

documents as (
    select * from {{ ref('stg_reports__documents') }} where is_current
)

select
    claims.doc_id || ':' || claims.claim_seq as claim_id,
    claims.doc_id,
    claims.claim_seq,
    documents.file_name,
    documents.outlet,
    documents.published,
    claims.metric,
    claims.value_low,
    claims.value_high,
    claims.unit,
    claims.qualifier,
    claims.attributed_to,
    claims.reported_by,
    claims.claimant,
    claims.claimant_kind,
    claims.supplier,
    claims.recipient,
    claims.period_start,
    claims.period_end,
    claims.quote,
    claims.char_start,
    claims.char_end
from claims
inner join documents using (doc_id)
order by documents.published nulls last, documents.file_name, claims.claim_seq

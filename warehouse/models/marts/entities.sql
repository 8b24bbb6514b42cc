-- grain: one row per canonical entity from the alias tables that appears in a current document
-- or a shipment; key: entity_id
with

aliases as (
    select * from {{ ref('aliases') }}
),

mentions as (
    select m.*
    from {{ source('staging', 'stg_reports__entity_mentions') }} as m
    inner join {{ ref('stg_reports__documents') }} as d on d.doc_id = m.doc_id and d.is_current
),

shipment_refs as (
    select vessel_id as entity_id from {{ source('staging', 'stg_ledgers__shipments') }}
    union all
    select departure_port_id from {{ source('staging', 'stg_ledgers__shipments') }}
    union all
    select arrival_port_id from {{ source('staging', 'stg_ledgers__shipments') }}
),

entities as (
    select
        entity_id,
        any_value(entity_type) as entity_type,
        any_value(canonical_name) as canonical_name,
        any_value(iso2) as iso2,
        list(distinct alias order by alias) as aliases
    from aliases
    group by entity_id
),

mention_counts as (
    select entity_id, count(*) as n_mentions, count(distinct doc_id) as n_documents
    from mentions
    group by entity_id
),

shipment_counts as (
    select entity_id, count(*) as n_shipment_rows
    from shipment_refs
    where entity_id is not null
    group by entity_id
)

select
    entities.entity_id,
    entities.entity_type,
    entities.canonical_name,
    entities.iso2,
    entities.aliases,
    coalesce(mention_counts.n_mentions, 0) as n_mentions,
    coalesce(mention_counts.n_documents, 0) as n_documents,
    coalesce(shipment_counts.n_shipment_rows, 0) as n_shipment_rows
from entities
left join mention_counts using (entity_id)
left join shipment_counts using (entity_id)
where mention_counts.entity_id is not null or shipment_counts.entity_id is not null
order by entities.entity_type, entities.canonical_name

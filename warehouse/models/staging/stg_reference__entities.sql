-- grain: one row per entity of the alias tables (ref.aliases); key: entity_id
select
    entity_id,
    any_value(entity_type) as entity_type,
    any_value(canonical_name) as canonical_name,
    any_value(iso2) as iso2
from {{ ref('aliases') }}
group by entity_id

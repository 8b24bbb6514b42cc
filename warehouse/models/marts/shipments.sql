-- grain: one row per voyage (vessel, departure date), merged across every ledger that lists it;
-- key: shipment_id. Containers disagreeing between ledgers show as containers_low < containers_high;
-- containers is the count most ledgers give (ties: the lower, the conservative reading).
with

ledger_rows as (
    select * from {{ source('staging', 'stg_ledgers__shipments') }}
),

names as (
    select distinct entity_id, canonical_name from {{ ref('aliases') }}
),

resolved as (
    select
        coalesce(ledger_rows.vessel_id, 'unresolved:' || lower(trim(ledger_rows.vessel))) as vessel_key,
        coalesce(vessel_names.canonical_name, ledger_rows.vessel) as vessel,
        coalesce(departure_names.canonical_name, ledger_rows.departure_port) as departure_port,
        coalesce(arrival_names.canonical_name, ledger_rows.arrival_port) as arrival_port,
        ledger_rows.*
            exclude (vessel, departure_port, arrival_port)
    from ledger_rows
    left join names as vessel_names on vessel_names.entity_id = ledger_rows.vessel_id
    left join names as departure_names on departure_names.entity_id = ledger_rows.departure_port_id
    left join names as arrival_names on arrival_names.entity_id = ledger_rows.arrival_port_id
),

container_votes as (
    select vessel_key, departure_date, containers, count(*) as votes
    from resolved
    where containers is not null
    group by all
),

consensus as (
    select vessel_key, departure_date, containers
    from container_votes
    qualify row_number() over (
        partition by vessel_key, departure_date order by votes desc, containers
    ) = 1
)

select
    substr(md5(vessel_key || '|' || departure_date), 1, 16) as shipment_id,
    any_value(vessel) as vessel,
    any_value(vessel_id) as vessel_id,
    mode(departure_port) as departure_port,
    departure_date,
    mode(arrival_port) as arrival_port,
    min(arrival_date) as arrival_date,
    any_value(consensus.containers) as containers,
    min(resolved.containers) as containers_low,
    max(resolved.containers) as containers_high,
    count(*) as n_ledger_rows,
    list(distinct source order by source) filter (where source is not null) as sources,
    list(distinct evidence order by evidence) filter (where evidence is not null) as evidence,
    list(distinct source_file order by source_file) as source_files
from resolved
left join consensus using (vessel_key, departure_date)
group by vessel_key, departure_date
order by departure_date, vessel

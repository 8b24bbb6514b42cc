{{ config(severity='warn', meta={'table': 'marts.shipments', 'tool': 'reconcile'}) }}
-- Vessel and port names in the shipment ledgers that match no alias (their id is null):
-- candidates for reference/aliases.csv. One row per kind and name (case and spaces folded),
-- with how many ledger rows use it.
with

ledger_rows as (
    select * from {{ source('staging', 'stg_ledgers__shipments') }}
),

names as (
    select 'vessel' as kind, vessel as name, source_file from ledger_rows
    where vessel_id is null and nullif(trim(vessel), '') is not null
    union all
    select 'port', departure_port, source_file from ledger_rows
    where departure_port_id is null and nullif(trim(departure_port), '') is not null
    union all
    select 'port', arrival_port, source_file from ledger_rows
    where arrival_port_id is null and nullif(trim(arrival_port), '') is not null
)

select
    kind,
    min(trim(name)) as name,
    count(*) as n_rows,
    list(distinct source_file order by source_file) as source_files
from names
group by kind, lower(trim(name))
order by kind, n_rows desc, name

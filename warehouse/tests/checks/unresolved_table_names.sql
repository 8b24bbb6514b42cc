{{ config(severity='warn', meta={'table': 'marts.shipments', 'tool': 'reconcile'}) }}
-- Names in received tables that match no alias (their id is null): vessels and ports of the
-- shipment ledgers, donors and recipients of the weapons tables, subjects of the daily series.
-- They are candidates for reference/aliases.csv; a claim can be set against a donor's or a
-- subject's rows only once it resolves. One row per kind and name (case and spaces folded),
-- with how many rows use it.
with

ledger_rows as (
    select * from {{ source('staging', 'stg_ledgers__shipments') }}
),

deliveries as (
    select * from {{ ref('deliveries') }}
),

series as (
    select * from {{ ref('reported_series') }}
),

names as (
    select 'vessel' as kind, vessel as name, source_file from ledger_rows
    where vessel_id is null
    union all
    select 'port', departure_port, source_file from ledger_rows
    where departure_port_id is null
    union all
    select 'port', arrival_port, source_file from ledger_rows
    where arrival_port_id is null
    union all
    select 'donor', donor, source_file from deliveries
    where donor_id is null
    union all
    select 'recipient', recipient, source_file from deliveries
    where recipient_id is null
    union all
    select 'series subject', subject, source_file from series
    where subject_id is null
)

select
    kind,
    min(trim(name)) as name,
    count(*) as n_rows,
    list(distinct source_file order by source_file) as source_files
from names
where nullif(trim(name), '') is not null
group by kind, lower(trim(name))
order by kind, n_rows desc, name

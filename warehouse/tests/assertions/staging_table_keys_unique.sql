{{ config(severity='error', meta={'table': 'staging.stg_ledgers__shipments', 'tool': 'dbt'}) }}
-- Also covers every other staging table read from a received table: shipments and figures are
-- keyed by the received row, deliveries, strikes and series by the row and its item.
with

keys as (
    select 'shipments' as source, sha256, sheet, row_number, 0 as item from {{ source('staging', 'stg_ledgers__shipments') }}
    union all
    select 'figures', sha256, sheet, row_number, 0 from {{ source('staging', 'stg_tables__figures') }}
    union all
    select 'deliveries', sha256, sheet, row_number, item from {{ source('staging', 'stg_tables__deliveries') }}
    union all
    select 'strikes', sha256, sheet, row_number, item from {{ source('staging', 'stg_tables__strikes') }}
    union all
    select 'series', sha256, sheet, row_number, item from {{ source('staging', 'stg_tables__series') }}
)

select source, sha256, sheet, row_number, item, count(*) as n
from keys
group by all
having count(*) > 1

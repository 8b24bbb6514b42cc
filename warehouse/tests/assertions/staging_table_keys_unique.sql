{{ config(severity='error', meta={'table': 'staging.stg_ledgers__shipments', 'tool': 'dbt'}) }}
-- Also covers staging.stg_tables__figures: both are keyed by the received row.
with

keys as (
    select 'shipments' as source, sha256, sheet, row_number from {{ source('staging', 'stg_ledgers__shipments') }}
    union all
    select 'figures', sha256, sheet, row_number from {{ source('staging', 'stg_tables__figures') }}
)

select source, sha256, sheet, row_number, count(*) as n
from keys
group by all
having count(*) > 1

{{ config(severity='error', meta={'table': 'marts.shipments_monthly', 'tool': 'dbt'}) }}
with

monthly as (select sum(voyages) as voyages from {{ ref('shipments_monthly') }}),
shipments as (select count(*) as voyages from {{ ref('shipments') }})

select monthly.voyages as monthly_voyages, shipments.voyages as shipment_rows
from monthly, shipments
where coalesce(monthly.voyages, 0) <> shipments.voyages

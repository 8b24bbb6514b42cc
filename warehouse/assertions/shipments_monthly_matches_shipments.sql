-- table: marts.shipments_monthly
-- severity: error
with

monthly as (select sum(voyages) as voyages from marts.shipments_monthly),
shipments as (select count(*) as voyages from marts.shipments)

select monthly.voyages as monthly_voyages, shipments.voyages as shipment_rows
from monthly, shipments
where coalesce(monthly.voyages, 0) <> shipments.voyages

{{ config(severity='error', meta={'table': 'marts.shipments', 'tool': 'dbt'}) }}
select shipment_id, departure_date, arrival_date
from {{ ref('shipments') }}
where arrival_date < departure_date

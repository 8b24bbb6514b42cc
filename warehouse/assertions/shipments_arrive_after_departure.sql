-- table: marts.shipments
-- severity: error
select shipment_id, departure_date, arrival_date
from marts.shipments
where arrival_date < departure_date

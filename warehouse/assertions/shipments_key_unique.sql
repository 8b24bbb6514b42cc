-- table: marts.shipments
-- severity: error
select shipment_id, count(*) as n from marts.shipments group by shipment_id having count(*) > 1

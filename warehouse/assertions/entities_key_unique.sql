-- table: marts.entities
-- severity: error
select entity_id, count(*) as n from marts.entities group by entity_id having count(*) > 1

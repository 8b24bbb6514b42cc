-- table: marts.claims
-- severity: error
select claim_id, count(*) as n from marts.claims group by claim_id having count(*) > 1

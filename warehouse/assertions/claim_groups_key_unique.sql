-- table: marts.claim_groups
-- severity: error
select claim_group_id, count(*) as n from marts.claim_groups group by claim_group_id having count(*) > 1

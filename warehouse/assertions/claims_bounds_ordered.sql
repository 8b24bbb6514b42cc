-- table: marts.claims
-- severity: error
select claim_id, value_low, value_high from marts.claims where value_low > value_high

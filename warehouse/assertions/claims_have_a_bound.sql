-- table: marts.claims
-- severity: error
select claim_id, quote from marts.claims where value_low is null and value_high is null

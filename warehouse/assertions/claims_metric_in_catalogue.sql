-- table: marts.claims
-- severity: error
select claim_id, metric from marts.claims where metric not in (select metric from ref.metrics)

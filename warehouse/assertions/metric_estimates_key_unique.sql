-- table: marts.metric_estimates
-- severity: error
select estimate_id, count(*) as n from marts.metric_estimates group by estimate_id having count(*) > 1

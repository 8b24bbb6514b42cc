-- table: marts.deliveries
-- severity: warn
-- Donors, recipients and series subjects in received tables that match no country alias
-- (their id is null): candidates for reference/aliases.csv. A claim can be set against their
-- rows only once they resolve. One row per kind and name (case and spaces folded).
with

deliveries as (
    select * from marts.deliveries
),

series as (
    select * from marts.reported_series
),

names as (
    select 'donor' as kind, donor as name, source_file from deliveries
    where donor_id is null and nullif(trim(donor), '') is not null
    union all
    select 'recipient', recipient, source_file from deliveries
    where recipient_id is null and nullif(trim(recipient), '') is not null
    union all
    select 'series subject', subject, source_file from series
    where subject_id is null and nullif(trim(subject), '') is not null
)

select
    kind,
    min(trim(name)) as name,
    count(*) as n_rows,
    list(distinct source_file order by source_file) as source_files
from names
group by kind, lower(trim(name))
order by kind, n_rows desc, name

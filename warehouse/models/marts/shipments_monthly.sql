-- grain: one row per month of departure; key: month
with

shipments as (
    select * from {{ ref('shipments') }}
)

select
    date_trunc('month', departure_date)::date as month,
    count(*) as voyages,
    sum(containers) as containers,
    count(distinct vessel) as vessels,
    list(distinct vessel order by vessel) as vessel_names,
    count(*) filter (where arrival_port = 'Vostochny') as voyages_to_vostochny,
    count(*) filter (where arrival_port = 'Dunai') as voyages_to_dunai
from shipments
group by 1
order by 1

{{ config(severity='error', meta={'table': 'marts.claims', 'tool': 'dbt'}) }}
select claim_id, value_low, value_high
from {{ ref('claims') }}
where unit = 'percent' and (value_low not between 0 and 100 or value_high not between 0 and 100)

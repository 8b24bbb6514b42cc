{{ config(severity='error', meta={'table': 'marts.claims', 'tool': 'dbt'}) }}
select claim_id, metric from {{ ref('claims') }} where metric not in (select metric from {{ ref('metrics') }})

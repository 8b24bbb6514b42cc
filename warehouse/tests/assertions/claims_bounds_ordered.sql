{{ config(severity='error', meta={'table': 'marts.claims', 'tool': 'dbt'}) }}
select claim_id, value_low, value_high from {{ ref('claims') }} where value_low > value_high

{{ config(severity='error', meta={'table': 'marts.claims', 'tool': 'dbt'}) }}
select claim_id, quote from {{ ref('claims') }} where value_low is null and value_high is null

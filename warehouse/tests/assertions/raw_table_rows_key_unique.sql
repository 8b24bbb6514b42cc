{{ config(severity='error', meta={'table': 'raw.table_rows', 'tool': 'dbt'}) }}
select sha256, sheet, row_number, count(*) as n
from {{ source('raw', 'table_rows') }}
group by all
having count(*) > 1

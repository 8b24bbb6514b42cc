{{ config(severity='error', meta={'table': 'raw.table_rows', 'tool': 'dbt'}) }}
-- A received row once per (file content, sheet, row): a sheet once per file content in
-- raw.tables, and a row once per sheet in raw.table_rows.
select sha256, sheet, null::bigint as row_number, count(*) as n
from {{ source('raw', 'tables') }}
group by all
having count(*) > 1
union all
select null, null, row_number, count(*) as n
from {{ source('raw', 'table_rows') }}
group by table_id, row_number
having count(*) > 1

-- table: raw.table_rows
-- severity: error
select sha256, sheet, row_number, count(*) as n
from raw.table_rows
group by all
having count(*) > 1

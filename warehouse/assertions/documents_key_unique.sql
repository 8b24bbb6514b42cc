-- table: marts.documents
-- severity: error
select doc_id, count(*) as n from marts.documents group by doc_id having count(*) > 1

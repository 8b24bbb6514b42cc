-- Incremental upkeep of the full-text index that `pragma create_fts_index` built over
-- marts.documents (schema fts_marts_documents): add documents that entered the mart, drop
-- those that left it, and update document frequencies and corpus statistics, using the index's
-- own tokenize macro, stopword table and the english stemmer. A doc_id names one file content,
-- so a document already indexed never changes. tests/unit/test_fts_update.py checks that the
-- result equals a full rebuild.
create or replace temp table fts_gone as
select docid
from fts_marts_documents.docs as d
where not exists (select 1 from marts.documents as m where m.doc_id = d.name);

create or replace temp table fts_new as
select
    (select coalesce(max(docid) + 1, 0) from fts_marts_documents.docs)
        + row_number() over (order by m.doc_id) - 1 as docid,
    m.doc_id,
    m.title,
    m.text
from marts.documents as m
where not exists (select 1 from fts_marts_documents.docs as d where d.name = m.doc_id);

create or replace temp table fts_new_tokens as
with

tokens as (
    select docid, 0 as fieldid, unnest(fts_marts_documents.tokenize(title)) as token from fts_new
    union all
    select docid, 1 as fieldid, unnest(fts_marts_documents.tokenize(text)) as token from fts_new
)

select docid, fieldid, stem(token, 'english') as term
from tokens
where token <> ''
    and token not in (select sw from fts_marts_documents.stopwords);

-- document frequencies lose the documents that left
update fts_marts_documents.dict as dict
set df = dict.df - gone.n
from (
    select termid, count(distinct docid) as n
    from fts_marts_documents.terms
    where docid in (select docid from fts_gone)
    group by termid
) as gone
where dict.termid = gone.termid;

delete from fts_marts_documents.terms where docid in (select docid from fts_gone);

delete from fts_marts_documents.docs where docid in (select docid from fts_gone);

insert into fts_marts_documents.dict
select
    (select coalesce(max(termid) + 1, 0) from fts_marts_documents.dict)
        + row_number() over (order by term) - 1 as termid,
    term,
    0 as df
from (select distinct term from fts_new_tokens) as t
where not exists (select 1 from fts_marts_documents.dict as d where d.term = t.term);

update fts_marts_documents.dict as dict
set df = dict.df + added.n
from (
    select d.termid, count(distinct t.docid) as n
    from fts_new_tokens as t
    inner join fts_marts_documents.dict as d on d.term = t.term
    group by d.termid
) as added
where dict.termid = added.termid;

insert into fts_marts_documents.terms
select t.docid, t.fieldid, d.termid
from fts_new_tokens as t
inner join fts_marts_documents.dict as d on d.term = t.term;

insert into fts_marts_documents.docs
select n.docid, n.doc_id, count(t.docid) as len
from fts_new as n
left join fts_new_tokens as t on t.docid = n.docid
group by n.docid, n.doc_id;

delete from fts_marts_documents.stats;

insert into fts_marts_documents.stats
select count(*) as num_docs, avg(len) as avgdl from fts_marts_documents.docs;

-- Tables written by Python loaders. Marts are SQL models (models/) rebuilt after every load.
create schema if not exists raw;
create schema if not exists staging;
create schema if not exists marts;
create schema if not exists ops;
create schema if not exists dq;
create schema if not exists ref;              -- versioned reference data, reloaded every run

-- ops: what ran, and what happened to every file the inbox ever held.
create table if not exists ops.runs (
    run_id varchar primary key,
    flow_run_id varchar,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,             -- running | completed | failed
    inbox varchar,
    files_new integer,
    files_unchanged integer,
    files_duplicate integer,
    files_failed integer,
    files_skipped integer,
    claims_loaded integer,
    shipments_loaded integer,
    entities_loaded integer,
    checks_failed integer,
    rows_quarantined integer,
    alert varchar,
    message varchar
);

create table if not exists ops.files (
    path varchar not null,               -- relative to the inbox
    sha256 varchar not null,
    size_bytes bigint not null,
    format varchar,                       -- txt | md | html | pdf | csv | xlsx | json | parquet | null
    kind varchar,                         -- text | table | null
    version integer not null,             -- 1 for the first content seen at this path
    status varchar not null,              -- loaded | duplicate | failed | skipped
    duplicate_of varchar,                 -- path that first held the same content
    error varchar,
    rows_in bigint,                       -- data rows (tables) or 1 (a document)
    rows_loaded bigint,
    rows_quarantined bigint,
    rows_skipped bigint,
    note varchar,                         -- why rows were skipped, or what the file was taken for
    first_seen timestamp not null,
    run_id varchar not null,
    primary key (path, sha256)
);

-- raw: inputs exactly as received (text after decoding, table cells as text).
create table if not exists raw.documents (
    doc_id varchar primary key,           -- first 16 hex digits of the file's sha256
    sha256 varchar not null,
    file_name varchar not null,
    format varchar not null,
    title varchar,
    url varchar,
    outlet varchar,
    published date,
    meta json,
    text varchar not null,
    run_id varchar not null,
    ingested_at timestamp not null,
    published_source varchar,             -- where the date was read: front_matter, meta, json_ld, time_element, pdf_metadata, file_name, none
    outlet_source varchar                 -- where the outlet was read: front_matter, meta, json_ld, page, file_name, none
);
-- Warehouses made before the two columns existed get them here (null for earlier documents).
alter table raw.documents add column if not exists published_source varchar;
alter table raw.documents add column if not exists outlet_source varchar;

-- Received tables: one raw.tables row per sheet (the file, its header and the run, under a
-- compact table_id), and raw.table_rows with each data row's cells as typed text columns:
-- cell i of the header in c{i}. Columns, not one JSON text per row: DuckDB writes ten
-- million rows as a columnar insert (no JSON built per row) and a rebuild reads them back
-- without parsing. One wide table rather than one per sheet keeps the schema fixed for dbt,
-- DuckLake and the working copy; a sheet's unused columns are all null, which DuckDB stores
-- as nothing. The loader adds c{n+1}... when a wider sheet arrives (warehouse/load.py).
create table if not exists raw.tables (
    table_id integer primary key,
    sha256 varchar not null,
    file_name varchar not null,           -- path in the inbox
    sheet varchar not null,               -- sheet name for workbooks, empty otherwise
    columns varchar[] not null,           -- the header as received, in file order
    run_id varchar not null
);

create table if not exists raw.table_rows (
    table_id integer not null,            -- raw.tables
    row_number bigint not null            -- 1-based data row (header excluded)
    -- c1, c2, ...: the cells as text (null where the file had none), added by the loader.
    -- key (table_id, row_number): no index on this tall table (it doubles load time);
    -- new content is appended whole, and assertion raw_table_rows_key_unique checks the key.
);

-- Each received row with its file and its cells as one JSON object (header -> cell text), for
-- a person or a test to read; the loader redefines it over every cell column it adds.
create view if not exists raw.received_rows as
select t.sha256, t.file_name, t.sheet, r.row_number, '{}'::json as row_json, t.run_id, r.table_id
from raw.table_rows as r join raw.tables as t using (table_id);

-- staging: frames produced by extraction and normalisation, keyed by their source. A table's
-- staged rows (the *_rows tables) name their sheet by raw.tables' compact table_id rather than
-- repeating the file hash, sheet and name on each of ten million rows: DuckDB stores a constant
-- integer for almost nothing, while three constant strings cost it more than half the insert.
create table if not exists staging.stg_reports__claims (
    doc_id varchar not null,
    claim_seq integer not null,
    metric varchar not null,
    value_low double,
    value_high double,
    unit varchar not null,
    qualifier varchar not null,
    attributed_to varchar,
    reported_by varchar,
    supplier varchar,
    recipient varchar,
    period_start date,
    period_end date,
    quote varchar not null,
    char_start bigint not null,
    char_end bigint not null,
    sentence_idx integer,
    -- claimant: as written, or the outlet for a figure it states on its own authority;
    -- claimant_kind: alias | candidate | outlet
    claimant varchar,
    claimant_kind varchar,
    primary key (doc_id, claim_seq)
);
alter table staging.stg_reports__claims add column if not exists claimant varchar;
alter table staging.stg_reports__claims add column if not exists claimant_kind varchar;

create table if not exists staging.stg_reports__entity_mentions (
    doc_id varchar not null,
    entity_id varchar not null,
    entity_type varchar not null,
    canonical_name varchar not null,
    surface varchar not null,
    char_start bigint not null,
    char_end bigint not null,
    primary key (doc_id, char_start, entity_id)
);

create table if not exists staging.stg_ledgers__shipments_rows (
    table_id integer not null,            -- raw.tables: the file, sheet and run
    row_number bigint not null,
    vessel_id varchar,
    vessel varchar not null,
    departure_port_id varchar,
    departure_port varchar,
    departure_date date not null,
    arrival_port_id varchar,
    arrival_port varchar,
    arrival_date date,
    containers integer,
    evidence varchar,
    source varchar
    -- key (table_id, row_number), checked by an assertion rather than an index (tall table)
);

create table if not exists staging.stg_tables__figures_rows (
    table_id integer not null,            -- raw.tables: the file, sheet and run
    row_number bigint not null,
    metric varchar not null,
    value_low double,
    value_high double,
    unit varchar not null,
    qualifier varchar not null,
    period_start date,
    period_end date,
    source varchar,
    note varchar
    -- key (table_id, row_number), checked by an assertion rather than an index (tall table)
);

-- Tables read through the shapes in reference/shapes whose rows may expand (list cells,
-- melted wide columns): key (table_id, row_number, item), checked by an assertion.
create table if not exists staging.stg_tables__deliveries_rows (
    table_id integer not null,            -- raw.tables: the file, sheet and run
    row_number bigint not null,
    item integer not null,                -- position in the row's list of systems (0 if one)
    donor varchar not null,
    donor_id varchar,
    recipient varchar,
    recipient_id varchar,
    category varchar,
    metric varchar,                       -- claim metric the category counts toward, if any
    system varchar,
    system_id varchar,
    count bigint,
    value double,
    currency varchar,
    row_count bigint,
    row_value double,
    period_start date,
    period_end date,
    source varchar,
    note varchar
);

create table if not exists staging.stg_tables__strikes_rows (
    table_id integer not null,            -- raw.tables: the file, sheet and run
    row_number bigint not null,
    item integer not null,                -- position of the model among the row's models
    window_start timestamp not null,
    window_end timestamp,
    model varchar,
    model_ids varchar[],                  -- weapon systems the model names (alias entity ids)
    launched bigint,                      -- null when the row names several models
    destroyed bigint,
    row_launched bigint,
    row_destroyed bigint,
    launch_place varchar,
    target varchar,
    source varchar
);

create table if not exists staging.stg_tables__series_rows (
    table_id integer not null,            -- raw.tables: the file, sheet and run
    row_number bigint not null,
    item integer not null,                -- which of the row's figure columns
    date date not null,
    metric varchar not null,
    value_low double,
    value_high double,
    unit varchar not null,
    qualifier varchar not null,
    subject varchar,
    subject_id varchar,
    source varchar,
    cumulative boolean
);

-- The staged tables as every reader knows them (key (sha256, sheet, row_number[, item]) and
-- source_file): the tall rows above hold only a table_id, and the file comes from raw.tables.
create view if not exists staging.stg_ledgers__shipments as
select t.sha256, t.sheet, s.row_number, t.file_name as source_file,
    s.* exclude (table_id, row_number)
from staging.stg_ledgers__shipments_rows as s join raw.tables as t using (table_id);

create view if not exists staging.stg_tables__figures as
select t.sha256, t.sheet, s.row_number, t.file_name as source_file,
    s.* exclude (table_id, row_number)
from staging.stg_tables__figures_rows as s join raw.tables as t using (table_id);

create view if not exists staging.stg_tables__deliveries as
select t.sha256, t.sheet, s.row_number, s.item, t.file_name as source_file,
    s.* exclude (table_id, row_number, item)
from staging.stg_tables__deliveries_rows as s join raw.tables as t using (table_id);

create view if not exists staging.stg_tables__strikes as
select t.sha256, t.sheet, s.row_number, s.item, t.file_name as source_file,
    s.* exclude (table_id, row_number, item)
from staging.stg_tables__strikes_rows as s join raw.tables as t using (table_id);

create view if not exists staging.stg_tables__series as
select t.sha256, t.sheet, s.row_number, s.item, t.file_name as source_file,
    s.* exclude (table_id, row_number, item)
from staging.stg_tables__series_rows as s join raw.tables as t using (table_id);

-- dq: every check result and every rejected row, with the reason.
create table if not exists dq.quarantine (
    run_id varchar not null,
    source_file varchar,
    sha256 varchar,
    stage varchar not null,               -- ingest | extract | normalise | load
    target_table varchar,
    locator varchar,                      -- row number, sheet:row, or char span
    check_name varchar not null,
    reason varchar not null,
    offending_values json,
    original_row json,
    quarantined_at timestamp not null
);

create table if not exists dq.check_results (
    run_id varchar not null,
    check_name varchar not null,
    table_name varchar not null,
    tool varchar not null,                -- pandera | sql | gx | reconcile
    severity varchar not null,            -- error | warn | info
    status varchar not null,              -- pass | fail | warn
    failing_count bigint not null,
    sample json,
    checked_at timestamp not null
);

create table if not exists dq.mart_counts (
    run_id varchar not null,
    table_name varchar not null,
    row_count bigint not null,
    counted_at timestamp not null,
    primary key (run_id, table_name)
);

-- dq.gx_validated: hashes of the checked columns of rows of a large mart that passed the GX
-- suite, so a later run validates only rows it has not seen (whole-mart rules run in SQL).
create table if not exists dq.gx_validated (
    mart varchar not null,
    row_hash ubigint not null
);

-- ops.state: small facts a run leaves for the next one (e.g. what the marts were built from).
create table if not exists ops.state (
    key varchar primary key,
    value varchar not null,
    updated_at timestamp not null
);

-- grain: one row per system listed in a row of a current weapons table (a row that lists none
-- is one row with system null); key: delivery_id (= sha256[1:16]:sheet:row_number:item).
-- A row that lists one system gives it the row's count and value; a row that lists several
-- keeps its value in row_value only (the table does not say how it splits).
with

deliveries as (
    select * from {{ source('staging', 'stg_tables__deliveries') }}
),

contents as (
    select sha256 from {{ ref('stg_inbox__contents') }} where kind = 'table' and is_current
),

entities as (
    select * from {{ ref('stg_reference__entities') }}
)

select
    deliveries.sha256[1:16] || ':' || deliveries.sheet || ':' || deliveries.row_number || ':' || deliveries.item
        as delivery_id,
    deliveries.source_file,
    deliveries.sheet,
    deliveries.row_number,
    deliveries.item,
    case when deliveries.sheet = '' then '' else deliveries.sheet || ':' end || 'row ' || deliveries.row_number
        as locator,
    coalesce(donors.canonical_name, deliveries.donor) as donor,
    deliveries.donor_id,
    donors.iso2 as donor_iso2,
    coalesce(recipients.canonical_name, deliveries.recipient) as recipient,
    deliveries.recipient_id,
    recipients.iso2 as recipient_iso2,
    deliveries.category,
    deliveries.metric,
    coalesce(systems.canonical_name, deliveries.system) as system,
    deliveries.system_id,
    deliveries.count,
    deliveries.value,
    deliveries.currency,
    deliveries.row_count,
    deliveries.row_value,
    count(*) over (partition by deliveries.sha256, deliveries.sheet, deliveries.row_number) as systems_in_row,
    deliveries.period_start,
    deliveries.period_end,
    deliveries.source,
    deliveries.note
from deliveries
inner join contents using (sha256)
left join entities as donors on donors.entity_id = deliveries.donor_id
left join entities as recipients on recipients.entity_id = deliveries.recipient_id
left join entities as systems on systems.entity_id = deliveries.system_id
order by donor, deliveries.category, deliveries.source_file, deliveries.row_number, deliveries.item

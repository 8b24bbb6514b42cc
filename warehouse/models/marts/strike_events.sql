-- grain: one row per weapon model named in a row of a current strike log (a row naming
-- "X and Y" is two rows); key: strike_id (= sha256[1:16]:sheet:row_number:item).
-- launched and destroyed belong to the model only when its row names it alone; otherwise they
-- are null and the row's figures stay in row_launched and row_destroyed (models_in_row > 1).
with

strikes as (
    select * from {{ source('staging', 'stg_tables__strikes') }}
),

contents as (
    select sha256 from {{ ref('stg_inbox__contents') }} where kind = 'table' and is_current
)

select
    strikes.sha256[1:16] || ':' || strikes.sheet || ':' || strikes.row_number || ':' || strikes.item
        as strike_id,
    strikes.source_file,
    strikes.sheet,
    strikes.row_number,
    strikes.item,
    case when strikes.sheet = '' then '' else strikes.sheet || ':' end || 'row ' || strikes.row_number
        as locator,
    cast(strikes.window_start as date) as event_date,
    strikes.window_start,
    strikes.window_end,
    strikes.model,
    strikes.model_ids,
    strikes.launched,
    strikes.destroyed,
    strikes.row_launched,
    strikes.row_destroyed,
    count(*) over (partition by strikes.sha256, strikes.sheet, strikes.row_number) as models_in_row,
    strikes.launch_place,
    strikes.target,
    strikes.source
from strikes
inner join contents using (sha256)
order by strikes.window_start, strikes.source_file, strikes.row_number, strikes.item

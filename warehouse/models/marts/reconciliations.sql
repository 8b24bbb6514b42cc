-- grain: one row per declared check (ref.reconciliations, from reference/reconciliations.yaml)
-- and claim it selects; key: reconciliation_id (= check_name:claim_id).
-- A check selects the claims of its metrics whose sentence names its weapon (or, with
-- weapon_by_origin, names the weapon's country while the document names the weapon) and holds
-- one of its cue words, with its supplier and recipient (each only when declared). The table's figure
-- follows from the table:
--   shipments, strike_events (dated rows): the measure summed over the claim's period,
--     period_start .. coalesce(period_end, published); with open_start a claim that gives no
--     start counts from the table's first date;
--   deliveries: the measure summed over the rows from the claim's supplier (donor) to its
--     recipient in the claim's metric;
--   reported_series: the latest report on or before the claim's date (coalesce(period_end,
--     published)), at most max_lag_days before it, of the claim's metric, for a subject the
--     claim's sentence names (and that is the claim's supplier, when it has one).
-- Both figures are intervals (low, high; null = open): a strike row naming several models adds
-- 0 to its total to a model's launches. verdict:
--   'no overlap' when the table cannot speak to the claim (note says why);
--   'agree' when table_high >= claim_low * (1 - tolerance) and table_low <= claim_high * (1 + tolerance);
--   'disagree' otherwise; relative_difference = (table figure - bound) / bound for the bound broken.
with

checks as (
    select * from {{ source('ref', 'reconciliations') }}
),

-- Only claims some check can select (by metric): the sentence work below reads each claim's
-- text and mentions, so it runs on these alone, not on millions of claims no check asks about.
claims as (
    select * from {{ ref('claims') }}
    where metric in (select unnest(claim_metrics) from checks)
),

documents as (
    select doc_id, text from {{ ref('documents') }}
),

mentions as (
    select doc_id, entity_id, char_start from {{ source('staging', 'stg_reports__entity_mentions') }}
),

entities as (
    select * from {{ ref('stg_reference__entities') }}
),

-- Nationality words as whole words of a sentence (" north korean "), by country.
demonyms as (
    select
        iso2,
        ' ' || array_to_string(string_split_regex(lower(adjective), '[^a-z0-9-]+'), ' ') || ' ' as phrase
    from {{ ref('demonyms') }}
),

-- The claim's sentence: back from the quote to the previous sentence end or line break, and on
-- to the next, at most 400 characters either way. Only the sentence's text goes on from here
-- (not the document's), so the mention join below moves short strings.
sentence_bounds as (
    select
        claims.claim_id,
        claims.doc_id,
        claims.char_start - length(list_last(regexp_split_to_array(
            substring(documents.text, claims.char_start - least(claims.char_start, 400) + 1,
                      least(claims.char_start, 400)),
            '[.!?]\s+|\n'))) as sentence_start,
        claims.char_end + length(list_first(regexp_split_to_array(
            substring(documents.text, claims.char_end + 1, 400), '[.!?]\s+|\n'))) as sentence_end,
        substring(documents.text, sentence_start + 1, sentence_end - sentence_start) as sentence
    from claims
    inner join documents using (doc_id)
),

sentence_mentions as (
    select
        bounds.claim_id,
        any_value(bounds.sentence) as sentence,
        coalesce(list(distinct mentions.entity_id) filter (where mentions.entity_id is not null), [])
            as entities,
        coalesce(list(distinct named.iso2) filter (where named.entity_type = 'country'), []) as countries
    from sentence_bounds as bounds
    left join mentions
        on mentions.doc_id = bounds.doc_id
        and mentions.char_start >= bounds.sentence_start
        and mentions.char_start < bounds.sentence_end
    left join entities as named on named.entity_id = mentions.entity_id
    group by bounds.claim_id
),

sentences as (
    select
        claim_id,
        string_split_regex(lower(sentence), '[^a-z0-9-]+') as words,
        entities,
        countries
    from sentence_mentions
),

-- Claims about a weapon by its origin: the sentence names the weapon's country ("North Korean
-- missiles", the supplier) and the document names the weapon elsewhere. Only the weapons and
-- metrics of checks that allow it: the document's weapons are found once per document first,
-- so the claims meet a handful of rows, not every mention of their document.
origin_checks as (
    select distinct claim_weapon_id, unnest(claim_metrics) as metric
    from checks
    where weapon_by_origin and claim_weapon_id is not null
),

document_weapons as (
    select distinct mentions.doc_id, weapons.entity_id as weapon_id, weapons.iso2
    from mentions
    inner join entities as weapons
        on weapons.entity_id = mentions.entity_id and weapons.entity_type = 'weapon_system'
    where weapons.entity_id in (select claim_weapon_id from origin_checks)
),

origin_claims as (
    select distinct claims.claim_id, weapons.weapon_id
    from claims
    inner join origin_checks using (metric)
    inner join document_weapons as weapons
        on weapons.doc_id = claims.doc_id and weapons.weapon_id = origin_checks.claim_weapon_id
    inner join sentences using (claim_id)
    where claims.supplier = weapons.iso2
        or list_contains(sentences.countries, weapons.iso2)
        or exists (
            select 1 from demonyms
            where demonyms.iso2 = weapons.iso2
                and contains(' ' || array_to_string(sentences.words, ' ') || ' ', demonyms.phrase)
        )
),

selected as (
    select
        checks.check_name,
        checks.table_name,
        checks.measure,
        checks.tolerance,
        checks.max_lag_days,
        checks.open_start,
        checks.claim_weapon_id,
        claims.claim_id,
        claims.metric,
        claims.file_name,
        claims.attributed_to,
        claims.qualifier,
        claims.value_low as claim_low,
        claims.value_high as claim_high,
        claims.supplier,
        claims.recipient,
        claims.period_start,
        coalesce(claims.period_end, claims.published) as claim_date,
        claims.quote,
        sentences.entities
    from checks
    inner join claims on list_contains(checks.claim_metrics, claims.metric)
    inner join sentences using (claim_id)
    where (
            checks.claim_weapon_id is null
            or list_contains(sentences.entities, checks.claim_weapon_id)
            or (checks.weapon_by_origin and exists (
                select 1 from origin_claims
                where origin_claims.claim_id = claims.claim_id and origin_claims.weapon_id = checks.claim_weapon_id
            ))
        )
        and (len(checks.claim_cues) = 0 or list_has_any(sentences.words, checks.claim_cues))
        and (checks.claim_supplier is null or claims.supplier = checks.claim_supplier)
        and (checks.claim_recipient is null or claims.recipient = checks.claim_recipient)
),

-- Every table's rows in one form: the measure as an interval, and what a claim may match on.
-- Dated rows are summed per day (and weapon list) first, and a claim's total over its period
-- is read from running totals (below), so the cost follows days and claims, not ledger rows
-- times claims. fact_rows and rows_uncounted carry the row counts the totals report.
dated_rows as (
    select 'shipments' as table_name, 'voyages' as measure, departure_date as fact_date,
        1.0 as low, 1.0 as high, null::varchar[] as weapon_ids
    from {{ ref('shipments') }}
    union all by name
    select 'shipments' as table_name, 'containers' as measure, departure_date as fact_date,
        containers as low, containers as high, null::varchar[] as weapon_ids
    from {{ ref('shipments') }}
    union all by name
    select 'strike_events' as table_name, 'launched' as measure, event_date as fact_date,
        coalesce(launched, case when row_launched is not null then 0 end) as low,
        coalesce(launched, row_launched) as high,
        model_ids as weapon_ids
    from {{ ref('strike_events') }}
    union all by name
    select 'strike_events' as table_name, 'destroyed' as measure, event_date as fact_date,
        coalesce(destroyed, case when row_destroyed is not null then 0 end) as low,
        coalesce(destroyed, row_destroyed) as high,
        model_ids as weapon_ids
    from {{ ref('strike_events') }}
),

facts as (
    select table_name, measure, fact_date, weapon_ids,
        sum(low) as low, sum(high) as high, count(*) as fact_rows,
        count(*) filter (where high is null) as rows_uncounted
    from dated_rows
    group by all
    union all by name
    select 'deliveries' as table_name, 'count' as measure, count as low, count as high,
        donor_iso2, recipient_iso2, metric, 1 as fact_rows,
        case when count is null then 1 else 0 end as rows_uncounted
    from {{ ref('deliveries') }}
    union all by name
    select 'reported_series' as table_name, 'value' as measure, date as fact_date,
        value_low as low, value_high as high, subject_id, subject_iso2, metric, 1 as fact_rows,
        case when value_high is null then 1 else 0 end as rows_uncounted
    from {{ ref('reported_series') }}
),

coverage as (
    select table_name, measure, min(fact_date) as table_first, max(fact_date) as table_last
    from facts
    group by all
),

-- Running totals per table, measure and weapon, day by day: weapon_id '' is every row, and a
-- row naming several weapons counts in each of theirs. A claim's period total is the running
-- total at its last day less the one before its first day (two as-of lookups per claim).
dated_series as (
    select table_name, measure, '' as weapon_id, fact_date, low, high, fact_rows, rows_uncounted
    from facts
    where table_name in ('shipments', 'strike_events')
    union all
    select table_name, measure, unnest(list_distinct(weapon_ids)) as weapon_id, fact_date, low, high,
        fact_rows, rows_uncounted
    from facts
    where table_name in ('shipments', 'strike_events') and weapon_ids is not null
),

running as (
    select
        table_name,
        measure,
        weapon_id,
        fact_date,
        sum(sum(low)) over days as low_to_date,
        sum(sum(high)) over days as high_to_date,
        sum(sum(fact_rows)) over days as rows_to_date,
        sum(sum(rows_uncounted)) over days as uncounted_to_date
    from dated_series
    group by table_name, measure, weapon_id, fact_date
    window days as (partition by table_name, measure, weapon_id order by fact_date)
),

-- Dated tables: the measure over the claim's period.
dated_windows as (
    select
        selected.*,
        coalesce(selected.period_start, case when selected.open_start then coverage.table_first end)
            as window_start,
        selected.claim_date as window_end,
        coverage.table_first,
        coverage.table_last
    from selected
    left join coverage using (table_name, measure)
    where selected.table_name in ('shipments', 'strike_events')
),

dated as (
    select
        *,
        case
            when table_first is null then 'the table has no rows'
            when window_start is null then 'the claim gives no start date'
            when window_end is null then 'the claim has no date'
            when window_start > table_last or window_end < table_first
                then 'the claim''s period lies outside the table''s dates'
        end as no_overlap
    from dated_windows
),

-- Deliveries: the measure from the claim's supplier to its recipient, in its metric.
parties_listed as (
    select
        list(distinct donor_iso2) filter (where donor_iso2 is not null) as donors,
        list(distinct recipient_iso2) filter (where recipient_iso2 is not null) as recipients
    from facts
    where table_name = 'deliveries'
),

parties as (
    select
        selected.*,
        case
            when selected.supplier is null then 'the claim names no supplier'
            when selected.recipient is null then 'the claim names no recipient'
            when not coalesce(list_contains(parties_listed.donors, selected.supplier), false)
                then 'the table lists nothing from ' || selected.supplier
            when not coalesce(list_contains(parties_listed.recipients, selected.recipient), false)
                then 'the table lists nothing to ' || selected.recipient
        end as no_overlap
    from selected
    cross join parties_listed
    where selected.table_name = 'deliveries'
),

-- Dated claims: the running totals at the period's last day and before its first (none when
-- the period is missing or runs backwards).
dated_totals as (
    select
        dated.check_name,
        dated.claim_id,
        coalesce(upto.low_to_date, 0) - coalesce(before.low_to_date, 0) as table_low,
        coalesce(upto.high_to_date, 0) - coalesce(before.high_to_date, 0) as table_high,
        coalesce(upto.rows_to_date, 0) - coalesce(before.rows_to_date, 0) as table_rows,
        coalesce(upto.uncounted_to_date, 0) - coalesce(before.uncounted_to_date, 0)
            as table_rows_uncounted
    from dated
    asof left join running as upto
        on upto.table_name = dated.table_name
        and upto.measure = dated.measure
        and upto.weapon_id = coalesce(dated.claim_weapon_id, '')
        and dated.window_end >= upto.fact_date
    asof left join running as before
        on before.table_name = dated.table_name
        and before.measure = dated.measure
        and before.weapon_id = coalesce(dated.claim_weapon_id, '')
        and dated.window_start > before.fact_date
    where dated.window_start <= dated.window_end
),

-- Deliveries claims: the rows from the claim's supplier to its recipient in its metric, summed.
parties_totals as (
    select
        parties.check_name,
        parties.claim_id,
        sum(facts.low) as table_low,
        sum(facts.high) as table_high,
        sum(facts.fact_rows) as table_rows,
        sum(facts.rows_uncounted) as table_rows_uncounted
    from parties
    inner join facts
        on facts.table_name = parties.table_name
        and facts.measure = parties.measure
        and facts.donor_iso2 = parties.supplier
        and facts.recipient_iso2 = parties.recipient
        and facts.metric = parties.metric
    group by all
),

-- Every dated or deliveries claim, with 0 where no table row falls in its reach.
totals as (
    select
        reach.check_name,
        reach.claim_id,
        coalesce(found.table_low, 0) as table_low,
        coalesce(found.table_high, 0) as table_high,
        coalesce(found.table_rows, 0)::bigint as table_rows,
        coalesce(found.table_rows_uncounted, 0)::bigint as table_rows_uncounted
    from (
        select check_name, claim_id from dated
        union all
        select check_name, claim_id from parties
    ) as reach
    left join (
        select * from dated_totals
        union all
        select * from parties_totals
    ) as found using (check_name, claim_id)
),

summed as (
    select dated.check_name, dated.claim_id, dated.window_start, dated.window_end, dated.table_first,
        dated.table_last, dated.no_overlap
    from dated
    union all by name
    select parties.check_name, parties.claim_id, parties.no_overlap
    from parties
),

-- Series: the latest report before the claim's date about a subject its sentence names.
series_matches as (
    select
        selected.check_name,
        selected.claim_id,
        facts.fact_date,
        facts.low,
        facts.high,
        row_number() over (
            partition by selected.check_name, selected.claim_id
            order by facts.fact_date desc, facts.low desc nulls last
        ) as recency
    from selected
    inner join facts
        on facts.table_name = selected.table_name
        and facts.measure = selected.measure
        and facts.metric = selected.metric
        and list_contains(selected.entities, facts.subject_id)
        and (selected.supplier is null or facts.subject_iso2 = selected.supplier)
        and facts.fact_date between selected.claim_date - selected.max_lag_days and selected.claim_date
    where selected.table_name = 'reported_series'
),

series_points as (
    select
        selected.check_name,
        selected.claim_id,
        matches.fact_date as window_start,
        matches.fact_date as window_end,
        coverage.table_first,
        coverage.table_last,
        matches.low as table_low,
        matches.high as table_high,
        count(matches.fact_date) over (partition by selected.check_name, selected.claim_id) as table_rows,
        0 as table_rows_uncounted,
        case
            when selected.claim_date is null then 'the claim has no date'
            when matches.fact_date is null
                then 'no report on the claim''s subject in the ' || selected.max_lag_days
                    || ' days up to the claim''s date'
        end as no_overlap
    from selected
    left join coverage using (table_name, measure)
    left join series_matches as matches
        on matches.check_name = selected.check_name
        and matches.claim_id = selected.claim_id
        and matches.recency = 1
    where selected.table_name = 'reported_series'
),

compared as (
    select summed.*, totals.* exclude (check_name, claim_id)
    from summed
    inner join totals using (check_name, claim_id)
    union all by name
    select * from series_points
),

judged as (
    select
        selected.*,
        compared.* exclude (check_name, claim_id),
        case
            when selected.claim_low is not null and compared.table_high is not null
                and compared.table_high < selected.claim_low * (1 - selected.tolerance)
                then selected.claim_low
            when selected.claim_high is not null and compared.table_low is not null
                and compared.table_low > selected.claim_high * (1 + selected.tolerance)
                then selected.claim_high
        end as broken_bound,
        case
            when selected.claim_low is not null and compared.table_high is not null
                and compared.table_high < selected.claim_low * (1 - selected.tolerance)
                then compared.table_high
            else compared.table_low
        end as table_figure
    from selected
    inner join compared using (check_name, claim_id)
)

select
    check_name || ':' || claim_id as reconciliation_id,
    check_name,
    table_name,
    measure,
    claim_id,
    metric,
    file_name,
    attributed_to,
    qualifier,
    claim_low,
    claim_high,
    table_low,
    table_high,
    tolerance,
    case
        when no_overlap is not null then 'no overlap'
        when broken_bound is not null then 'disagree'
        else 'agree'
    end as verdict,
    case when no_overlap is null and broken_bound is not null
        then round((table_figure - broken_bound) / broken_bound, 3)
    end as relative_difference,
    no_overlap as note,
    table_rows,
    table_rows_uncounted,
    window_start,
    window_end,
    table_first,
    table_last,
    quote
from judged
order by check_name, claim_id

{{ config(severity='warn', meta={'table': 'marts.claims', 'tool': 'reconcile'}) }}
-- Claimants and intermediaries (organisations, people, governments) named in claims that match
-- no canonical name or alias in ref.aliases (case-insensitive): candidates for
-- reference/aliases.csv. One row per role and name, with how many claims use it. A reporter
-- that is only the first words of the same claim's claimant ("Western" of "Western official")
-- is that claimant cut short, not a second name.
with

claims as (
    select * from {{ ref('claims') }}
),

aliases as (
    select lower(canonical_name) as name from {{ ref('aliases') }}
    union
    select lower(alias) from {{ ref('aliases') }}
),

names as (
    select 'attributed_to' as role, attributed_to as name, claim_id from claims
    where attributed_to is not null
    union all
    select 'reported_by', reported_by, claim_id from claims
    where reported_by is not null
        and not starts_with(lower(coalesce(attributed_to, '')), lower(trim(reported_by)) || ' ')
)

select
    role,
    min(trim(name)) as name,
    count(*) as n_claims,
    list(claim_id order by claim_id)[1:5] as example_claim_ids
from names
where lower(trim(name)) not in (select name from aliases)
group by role, lower(trim(name))
order by role, n_claims desc, name

{#- DORA performance bands (SPEC §4), one macro per metric and report year. Each returns a CASE
    giving elite, high, medium or low, NULL when the figure is NULL. Boundaries:

    2023 (as DevLake applies them): deployment frequency by the median number of deployment days
    per week (>= 5 elite, >= 1 high), else by the deployment days per month (>= 1 medium, else low);
    lead time < 24 h elite, < 168 h (a week) high, < 720 h (30 days) medium; change fail rate
    <= 5 % elite, <= 10 % high, <= 15 % medium; recovery < 1 h elite, < 24 h high, < 168 h medium.

    2021: lead time < 1 h elite, < 168 h high, < 4320 h (180 days) medium; change fail rate
    <= 15 % elite, <= 20 % high, <= 30 % medium; recovery as 2023. SPEC gives no 2021 deployment
    frequency band; we use DevLake's: median deployment days per week >= 7 elite, deployment days
    per month >= 1 high, per six months >= 1 medium, else low. -#}

{% macro dora_deployment_frequency_level_2023(median_days_per_week, days_per_month) -%}
    case
        when {{ median_days_per_week }} is null then null
        when {{ median_days_per_week }} >= 5 then 'elite'
        when {{ median_days_per_week }} >= 1 then 'high'
        when {{ days_per_month }} >= 1 then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro dora_deployment_frequency_level_2021(median_days_per_week, days_per_month, days_per_six_months) -%}
    case
        when {{ median_days_per_week }} is null then null
        when {{ median_days_per_week }} >= 7 then 'elite'
        when {{ days_per_month }} >= 1 then 'high'
        when {{ days_per_six_months }} >= 1 then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro dora_lead_time_level(hours, year) -%}
    {%- set bands = {2023: (24, 168, 720), 2021: (1, 168, 4320)}[year] -%}
    case
        when {{ hours }} is null then null
        when {{ hours }} < {{ bands[0] }} then 'elite'
        when {{ hours }} < {{ bands[1] }} then 'high'
        when {{ hours }} < {{ bands[2] }} then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro dora_change_fail_level(rate, year) -%}
    {%- set bands = {2023: (0.05, 0.10, 0.15), 2021: (0.15, 0.20, 0.30)}[year] -%}
    case
        when {{ rate }} is null then null
        when {{ rate }} <= {{ bands[0] }} then 'elite'
        when {{ rate }} <= {{ bands[1] }} then 'high'
        when {{ rate }} <= {{ bands[2] }} then 'medium'
        else 'low'
    end
{%- endmacro %}

{% macro dora_recovery_level(hours) -%}
    case
        when {{ hours }} is null then null
        when {{ hours }} < 1 then 'elite'
        when {{ hours }} < 24 then 'high'
        when {{ hours }} < 168 then 'medium'
        else 'low'
    end
{%- endmacro %}

{#- A level, or NULL when its sample is smaller than var dora_min_n. -#}
{% macro unless_small_sample(level_sql, n_expr) -%}
    case when coalesce({{ n_expr }}, 0) >= {{ var('dora_min_n', 5) | int }} then {{ level_sql }} end
{%- endmacro %}

{#- Jira issue keys named in a text: PROJECT-123, preceded by the start or a character that is not
    a letter or digit (RE2 has no look-behind). -#}
{% macro issue_keys_in(text_expr) -%}
    {{ streamgauge.regex_extract_all(text_expr, "'(?:^|[^A-Za-z0-9])([A-Z][A-Z0-9]+-[0-9]+)'", 1) }}
{%- endmacro %}

{#- True when a text matches var dora_hotfix_pattern (case-insensitive). -#}
{% macro is_hotfix_text(text_expr) -%}
    coalesce({{ streamgauge.regex_matches_ci(text_expr, "'" ~ (var('dora_hotfix_pattern', '(^|[^a-z0-9])hot-?fix') | replace("'", "''")) ~ "'") }}, false)
{%- endmacro %}

{#- True when a GitHub account is a bot: its type is Bot, or bot_accounts names its login or has a
    pattern (case-insensitive regular expression) it matches. -#}
{% macro is_bot_account(login_expr, type_expr='null') -%}
    (coalesce({{ type_expr }}, '') = 'Bot'
     or exists (
        select 1 from {{ ref('bot_accounts') }} as bots
        where (bots.login is not null and lower(bots.login) = lower({{ login_expr }}))
           or (bots.login_pattern is not null
               and {{ streamgauge.regex_matches_ci(login_expr, 'bots.login_pattern') }})
     ))
{%- endmacro %}

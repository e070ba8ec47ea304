"""Subscriptions delivered: the 周报 issued once per scope and week, archived, mailed and pushed;
alerts when a figure falls off its target or changes notably (显著).

`settings` (the environment: SMTP, webhook, archive directory, retries), `plan`
(weeks, slots and scopes in China time: pure), `issue` (the 周报 of a scope and
week made with dashboard.briefing, kept in the archive), `alerts` (what is
judged alarming, from the same figures), `channels` (mail and webhook),
`jobs` (who gets what now: each message claimed in the users store before it
is sent, so a restart or a second scheduler sends nothing twice), `archive`
(which kept issues a user may see). `dashboard.scheduler` runs the jobs.
"""

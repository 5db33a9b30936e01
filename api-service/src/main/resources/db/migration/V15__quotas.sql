-- Who submitted a job (the name of the token's entry; null in the open mode) and the most jobs that caller may run at
-- once, copied from its token at submission: the outbox holds back a dispatch that would exceed it.
alter table job add column submitted_by text;
alter table job add column max_running integer check (max_running >= 1);
create index job_submitted_by_status on job (submitted_by, status) where submitted_by is not null;
-- The outbox claim asks, per quota'd job, whether its attempt has a dispatch sent (it holds a place) or due.
create index outbox_sent_dispatch_idx on outbox (job_id, attempt) where kind = 'DISPATCH' and sent_at is not null;
create index outbox_unsent_job_idx on outbox (job_id, attempt) where sent_at is null;

-- Each epoch's figures as a run reports them (JobEvent.epoch), kept while the job runs: the job's live history.
-- An epoch a later attempt runs again (after a resume) replaces the earlier attempt's.
create table job_epoch (
    job_id uuid not null references job (id) on delete cascade,
    series text not null,
    epoch int not null,
    attempt int not null,
    at timestamptz not null,
    figures jsonb not null,
    primary key (job_id, series, epoch)
);

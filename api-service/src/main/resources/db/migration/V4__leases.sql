-- How many attempts a job may lose to its worker or to the platform before it fails; hand-backs do not count.
alter table job add column max_attempts integer not null default 3;
alter table job add column failures integer not null default 0;

-- A unit of work a worker has taken and renews with its heartbeats: the job itself or a grid's assembly (unit -1),
-- or one grid tile (its index). A lease not renewed in time gives the job a new attempt.
create table lease (
    job_id        uuid         not null references job (id),
    unit          integer      not null,
    attempt       integer      not null,
    worker        varchar(200) not null,
    heartbeat_at  timestamptz  not null,
    primary key (job_id, unit)
);
create index lease_heartbeat_idx on lease (heartbeat_at);

-- Every attempt that ended without ending its job, and why: the job's timeline.
create table job_attempt (
    job_id    uuid         not null references job (id),
    attempt   integer      not null,
    worker    varchar(200),
    outcome   varchar(16)  not null,
    reason    text,
    ended_at  timestamptz  not null,
    primary key (job_id, attempt)
);

-- A retry after an infrastructure failure waits for its backoff in the outbox.
alter table outbox add column available_at timestamptz;

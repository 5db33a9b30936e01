create table job (
    id                uuid primary key,
    type              varchar(32)  not null,
    name              varchar(200),
    status            varchar(16)  not null,
    progress          double precision not null default 0,
    attempt           integer      not null default 1,
    pool              varchar(64)  not null,
    spec              jsonb        not null,
    result            jsonb,
    error             text,
    worker            varchar(200),
    cancel_requested  boolean      not null default false,
    created_at        timestamptz  not null,
    started_at        timestamptz,
    finished_at       timestamptz,
    heartbeat_at      timestamptz
);
create index job_created_idx on job (created_at desc);
create index job_status_idx on job (status, created_at desc);

-- Written in the same transaction as the job; the dispatcher marks a row sent only after the broker confirmed it.
create table outbox (
    id          bigserial primary key,
    job_id      uuid        not null references job (id),
    attempt     integer     not null,
    pool        varchar(64) not null,
    payload     jsonb       not null,
    created_at  timestamptz not null,
    sent_at     timestamptz
);
create index outbox_unsent_idx on outbox (id) where sent_at is null;

-- Recorded only after the worker's upload succeeded; one row per job and name.
create table artifact (
    job_id        uuid         not null references job (id),
    name          varchar(128) not null,
    attempt       integer      not null,
    content_type  varchar(100) not null,
    size          bigint       not null,
    sha256        varchar(64)  not null,
    object_key    varchar(400) not null,
    created_at    timestamptz  not null,
    primary key (job_id, name)
);

-- What a job reads from other jobs (a curve's endpoints): one row per spec field that names weights.
create table job_input (
    job_id         uuid         not null references job (id),
    field          varchar(64)  not null,
    source_job_id  uuid         not null references job (id),
    artifact       varchar(128) not null,
    primary key (job_id, field)
);
create index job_input_source_idx on job_input (source_job_id);

-- Uploaded datasets. The files and manifest.json are under datasets/{id}/ in the bucket, written before this row;
-- a job names a dataset by its id in spec.dataset (so job.spec->>'dataset' finds the jobs that use one).
create table dataset (
    id          uuid primary key,
    name        varchar(200),
    format      varchar(16)  not null,
    manifest    jsonb        not null,
    created_at  timestamptz  not null
);
create index dataset_created_idx on dataset (created_at desc);
create index job_dataset_idx on job ((spec ->> 'dataset'));

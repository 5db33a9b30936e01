-- A job may belong to an experiment (a name) and carry tags (string keys and values), to group and find runs.
alter table job add column experiment text;
alter table job add column tags jsonb not null default '{}'::jsonb;
create index job_experiment_idx on job (experiment, created_at desc) where experiment is not null;
create index job_tags_idx on job using gin (tags jsonb_path_ops);
-- What a job computes, as a key: its type, its spec with every default filled in and each input named by the
-- SHA-256 of its artifact (ResultKey). A submission with "reuse": true is answered by a SUCCEEDED job of that key.
alter table job add column result_key text;
create index job_result_key_idx on job (result_key, finished_at desc) where status = 'SUCCEEDED';

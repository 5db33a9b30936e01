-- Weights uploaded through the API, checked against their architecture; the file is models/{id}/model.safetensors.
create table uploaded_model (
    id          uuid primary key,
    name        varchar(200),
    model       jsonb         not null,
    dataset     varchar(64)   not null,
    object_key  varchar(512)  not null,
    size        bigint        not null,
    sha256      char(64)      not null,
    created_at  timestamptz   not null
);
create index uploaded_model_created_idx on uploaded_model (created_at desc);
-- A job's input is another job's artifact or an uploaded model: exactly one of the two.
alter table job_input alter column source_job_id drop not null;
alter table job_input add column source_model_id uuid references uploaded_model (id);
alter table job_input add constraint job_input_one_source
    check ((source_job_id is null) <> (source_model_id is null));
create index job_input_model_idx on job_input (source_model_id);

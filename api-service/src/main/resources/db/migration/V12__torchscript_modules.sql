-- An uploaded model is safetensors weights for a built-in architecture (checked at upload, READY at once), or a
-- TorchScript module (models/{id}/module.pt) whose inspect job decides whether it is READY or INVALID.
alter table uploaded_model add column format varchar(16) not null default 'safetensors';
alter table uploaded_model add column inspect_job uuid references job (id);

-- An ended job whose attempts' leftovers (checkpoints, superseded uploads) are still to be removed from storage.
-- The row is written in the transaction that ends the job and deleted once the cleanup has run, so a cleanup that
-- an api process did not live to run (or that failed) is done by the next sweep, on whichever replica.
create table object_cleanup (
    job_id uuid primary key references job (id) on delete cascade,
    due_at timestamptz not null
);

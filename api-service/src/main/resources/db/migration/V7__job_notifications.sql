-- Every change of a job that a watcher sees (a new job, its status, progress, attempt, worker, cancel request) is
-- announced on channel valley_jobs with the job's id, at commit and in commit order; heartbeats are not. The
-- api-service's live streams (server-sent events) listen, whichever api instance made the change.
create function valley_job_changed() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or new.status is distinct from old.status or new.progress is distinct from old.progress
            or new.attempt is distinct from old.attempt or new.worker is distinct from old.worker
            or new.cancel_requested is distinct from old.cancel_requested then
        perform pg_notify('valley_jobs', new.id::text);
    end if;
    return null;
end $$;
create trigger job_changed after insert or update on job for each row execute function valley_job_changed();

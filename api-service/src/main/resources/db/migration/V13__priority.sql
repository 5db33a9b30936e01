-- A job's priority, 0 (lowest) to 9, default 4: its dispatches (and a grid's tiles) carry it to the broker, whose
-- priority queues hand the higher ones out first within a pool.
alter table job add column priority integer not null default 4 check (priority between 0 and 9);
alter table outbox add column priority integer not null default 4;

-- Control messages (a cancel) leave through the outbox too: a cancel while the broker is away is stored and answered
-- at once, and delivered when the broker is back.
alter table outbox add column kind varchar(16) not null default 'DISPATCH';
alter table outbox add constraint outbox_kind_check check (kind in ('DISPATCH', 'CONTROL'));

-- A grid's tiles: one row per tile, written with the job; done_at and the object are set once, by the first worker
-- whose result lands, so a tile is never stored twice and a retried grid dispatches only the rows still open.
create table grid_tile (
    job_id      uuid         not null references job (id),
    idx         integer      not null,
    x0          integer      not null,
    x1          integer      not null,
    y0          integer      not null,
    y1          integer      not null,
    object_key  varchar(400),
    sha256      varchar(64),
    size        bigint,
    worker      varchar(200),
    done_at     timestamptz,
    primary key (job_id, idx)
);

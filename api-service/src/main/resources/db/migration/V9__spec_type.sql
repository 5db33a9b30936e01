-- A job's spec row names its own type, so that the row alone says which record it is (JobSpecColumn reads it back
-- by that key). The API and the dispatch messages keep the type beside the spec, as before.
update job set spec = jsonb_build_object('type', type) || spec where not spec ? 'type';

-- RunRecovery looks up runs by id and event type at start-up
create index run_event_by_run on run_event (run_id, type);

-- A thread's latest seq is the largest seq in its event log: the counter column is no longer kept.
alter table chat_thread drop column last_seq;

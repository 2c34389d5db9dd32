-- Owners are issuer and user id together; client_msg_id is unique per owner; every acknowledged
-- message has its run from the moment it is stored. SQL that H2 and PostgreSQL share.

-- Rows written before owners had an issuer belong to ${legacy_issuer}: the configured identity
-- provider's issuer (mp.jwt.verify.issuer), or the development issuer when none is configured.
alter table chat_thread add column owner_issuer varchar(512);
update chat_thread set owner_issuer = '${legacy_issuer}';
alter table chat_thread alter column owner_issuer set not null;
drop index chat_thread_by_owner;
create index chat_thread_by_owner on chat_thread (owner_issuer, owner_id, created_at);

-- A retried chat is found by its client_msg_id among all of its sender's messages, whichever thread.
alter table chat_message add column owner_issuer varchar(512);
alter table chat_message add column owner_id varchar(256);
update chat_message set owner_issuer = (select t.owner_issuer from chat_thread t where t.id = chat_message.thread_id),
                        owner_id = (select t.owner_id from chat_thread t where t.id = chat_message.thread_id);
alter table chat_message drop constraint chat_message_once;
alter table chat_message add constraint chat_message_once unique (owner_issuer, owner_id, client_msg_id);

-- One row per run, written with the message it answers; ended_at is set in the same transaction
-- as the run's closing event. Unfinished runs are the rows without ended_at.
create table agent_run (
    id          varchar(64)  not null primary key,
    thread_id   varchar(64)  not null references chat_thread (id),
    message_id  bigint,
    started_at  timestamp with time zone not null,
    ended_at    timestamp with time zone,
    outcome     varchar(32)
);
create index agent_run_unfinished on agent_run (ended_at, started_at);

insert into agent_run (id, thread_id, started_at, ended_at, outcome)
select run_id, thread_id, min(created_at),
       max(case when type in ('agent_completed', 'agent_error') then created_at end),
       max(case when type in ('agent_completed', 'agent_error') then 'legacy' end)
from run_event group by run_id, thread_id;

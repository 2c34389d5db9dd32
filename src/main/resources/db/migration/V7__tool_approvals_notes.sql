-- Approvals of tool calls: one durable row per interrupt, moved along pending -> resolved ->
-- executing -> executed by conditional updates, so exactly one answer wins and a call runs at most
-- once, whichever node handles it. And the notes of the offline agent's save_note tool. SQL that
-- H2 and PostgreSQL share.
create table tool_approval (
    id              varchar(64)   not null primary key,
    thread_id       varchar(64)   not null references chat_thread (id),
    run_id          varchar(64)   not null,
    owner_issuer    varchar(512)  not null,
    owner_id        varchar(256)  not null,
    tool_call_id    varchar(64)   not null,
    tool            varchar(64)   not null,
    arguments       varchar(65536) not null,
    fingerprint     varchar(80)   not null,
    message         varchar(4000) not null,
    editable        boolean       not null,
    created_at      timestamp with time zone not null,
    expires_at      timestamp with time zone not null,
    state           varchar(16)   not null,
    decision        varchar(16),
    final_arguments varchar(65536),
    reason          varchar(2000),
    answer_run_id   varchar(64),
    answered_at     timestamp with time zone,
    result          varchar(16000)
);
create index tool_approval_by_owner on tool_approval (owner_issuer, owner_id, state, created_at);
create index tool_approval_by_thread on tool_approval (thread_id, state);

create table user_note (
    id            bigint        not null primary key,
    owner_issuer  varchar(512)  not null,
    owner_id      varchar(256)  not null,
    text          varchar(2000) not null,
    tool_call_id  varchar(64)   not null,
    created_at    timestamp with time zone not null,
    constraint user_note_once unique (owner_issuer, owner_id, tool_call_id)
);
create sequence user_note_ids start with 1 increment by 1;
create index user_note_by_owner on user_note (owner_issuer, owner_id, id);

-- Threads, their messages and the log of every agent event, in SQL that H2 and PostgreSQL share.
create table chat_thread (
    id          varchar(64)  not null primary key,
    owner_id    varchar(256) not null,
    title       varchar(200) not null,
    created_at  timestamp with time zone not null,
    last_seq    bigint       not null
);
create index chat_thread_by_owner on chat_thread (owner_id, created_at);

create table chat_message (
    id             bigint          not null primary key,
    thread_id      varchar(64)     not null references chat_thread (id),
    role           varchar(16)     not null,
    text           varchar(1000000) not null,
    client_msg_id  varchar(64),
    created_at     timestamp with time zone not null,
    constraint chat_message_once unique (thread_id, client_msg_id)
);
create sequence chat_message_ids start with 1 increment by 1;
create index chat_message_by_thread on chat_message (thread_id, id);

create table run_event (
    thread_id   varchar(64)      not null references chat_thread (id),
    seq         bigint           not null,
    run_id      varchar(64)      not null,
    type        varchar(32)      not null,
    payload     varchar(1000000) not null,
    created_at  timestamp with time zone not null,
    primary key (thread_id, seq)
);

-- Front-end tools (AG-UI): an agent's turn that called tools the client runs keeps the calls, and
-- the result the client sends back keeps the call it answers (role 'tool'). SQL that H2 and
-- PostgreSQL share.
alter table chat_message add column tool_call_id varchar(64);
alter table chat_message add column tool_calls varchar(1000000);

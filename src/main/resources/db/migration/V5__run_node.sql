-- Which node runs each run: in cluster mode a node that starts ends only its own unfinished runs.
-- Runs still open when this migration runs were started by the node that runs it (cluster mode
-- starts from a database that one node used).
alter table agent_run add column node_id varchar(64);
update agent_run set node_id = '${node_id}' where ended_at is null;
create index agent_run_unfinished_by_node on agent_run (node_id, ended_at);

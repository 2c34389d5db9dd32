package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One batch, one transaction, against a real H2 with agentwire's schema: numbering, ending runs, all or nothing. */
class GroupCommitTest {

    final EventWriterTest.SwitchableDatabase database = new EventWriterTest.SwitchableDatabase();

    @BeforeEach
    void schema() throws SQLException {
        database.setURL("jdbc:h2:mem:commit-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(database).locations("classpath:db/migration")
                .placeholders(Map.of("legacy_issuer", "test", "node_id", "test-node")).load().migrate();
        sql("insert into chat_thread (id, owner_issuer, owner_id, title, created_at) values ('t1', 'i', 'u', 'x', current_timestamp)");
        sql("insert into chat_thread (id, owner_issuer, owner_id, title, created_at) values ('t2', 'i', 'u', 'x', current_timestamp)");
        sql("insert into agent_run (id, thread_id, started_at) values ('r1', 't1', current_timestamp)");
        sql("insert into agent_run (id, thread_id, started_at) values ('r2', 't2', current_timestamp)");
    }

    void sql(String statement) throws SQLException {
        try (Connection connection = database.getConnection(); Statement sql = connection.createStatement()) {
            sql.execute(statement);
        }
    }

    long count(String query) throws SQLException {
        try (Connection connection = database.getConnection(); Statement sql = connection.createStatement();
             ResultSet result = sql.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }

    GroupCommit commit(boolean shared) {
        return new GroupCommit(database, new FrameCodec(), shared, Clock.systemUTC());
    }

    static EventAppend closing(String thread, String run) {
        return new EventAppend(thread, run, (r, t, seq, at) -> new ServerFrame.AgentCompleted(r, t, seq, at, "done", "completed"),
                RunOutcome.COMPLETED.name(), false);
    }

    @Test
    void eachThreadsEventsAreNumberedOnFromItsLastSeqInTheirOrder() throws SQLException {
        var commit = commit(false);
        var first = commit.store(List.of(EventWriterTest.event("t1", "r1", "a"), EventWriterTest.event("t2", "r2", "b"),
                EventWriterTest.event("t1", "r1", "c")));
        assertEquals(List.of(1L, 1L, 2L), first.stream().map(CommittedEvent::seq).toList());
        assertTrue(first.get(2).json().contains("\"c\""), "the event as encoded when stored");
        var second = commit(false).store(List.of(EventWriterTest.event("t1", "r1", "d")));
        assertEquals(3L, second.get(0).seq(), "a writer that never saw the thread reads its last seq from the log");
    }

    @Test
    void aClosingEventEndsItsRunInTheSameTransaction() throws SQLException {
        var stored = commit(false).store(List.of(EventWriterTest.event("t1", "r1", "a"), closing("t1", "r1")));
        assertTrue(stored.get(1).closes());
        assertEquals(1, count("select count(*) from agent_run where id = 'r1' and outcome = 'COMPLETED' and ended_at is not null"));
    }

    @Test
    void aFailingBatchLeavesNothingAndTheThreadIsReadAgainAfterForget() throws SQLException {
        var commit = commit(false);
        commit.store(List.of(EventWriterTest.event("t1", "r1", "a")));
        var broken = new EventAppend("t1", "r1", (r, t, seq, at) -> {
            throw new IllegalStateException("cannot encode");
        }, null, false);
        assertThrows(IllegalStateException.class, () -> commit.store(List.of(EventWriterTest.event("t1", "r1", "b"), broken)));
        assertEquals(1, count("select count(*) from run_event"), "nothing of the failed batch");
        sql("insert into run_event (thread_id, seq, run_id, type, payload, created_at)"
                + " values ('t1', 2, 'r1', 'agent_thinking', '{}', current_timestamp)"); // what another writer stored meanwhile
        commit.forget("t1");
        assertEquals(3L, commit.store(List.of(EventWriterTest.event("t1", "r1", "c"))).get(0).seq());
    }

    @Test
    void sharedItReadsTheLastSeqEveryTimeSoAnotherWritersEventsAreNotOverwritten() throws SQLException {
        var commit = commit(true);
        commit.store(List.of(EventWriterTest.event("t1", "r1", "a")));
        sql("insert into run_event (thread_id, seq, run_id, type, payload, created_at)"
                + " values ('t1', 2, 'r1', 'agent_thinking', '{}', current_timestamp)");
        assertEquals(3L, commit.store(List.of(EventWriterTest.event("t1", "r1", "b"))).get(0).seq());
    }
}

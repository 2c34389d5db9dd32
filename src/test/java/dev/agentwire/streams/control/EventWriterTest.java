package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The writer against a real H2 with agentwire's schema: batching, numbering, and what a failed flush leaves. */
class EventWriterTest {

    /** An H2 database that fails every connection while {@code down} is set, as a database that went away would. */
    static final class SwitchableDatabase implements DataSource {
        final AtomicBoolean down = new AtomicBoolean();
        final JdbcDataSource h2 = new JdbcDataSource();

        void setURL(String url) {
            h2.setURL(url);
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down.get()) {
                throw new SQLException("database down");
            }
            return h2.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return h2.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    static final class Reports implements EventWriter.Listener {
        final List<CommittedEvent> stored = new CopyOnWriteArrayList<>();
        final Map<String, String> failed = Collections.synchronizedMap(new java.util.HashMap<>());
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();

        @Override
        public void stored(List<CommittedEvent> events) {
            stored.addAll(events);
        }

        @Override
        public void failed(Map<String, String> runThreads) {
            failed.putAll(runThreads);
        }

        @Override
        public void flushed(boolean committed, int events) {
            (committed ? flushes : failures).incrementAndGet();
        }
    }

    final SwitchableDatabase database = new SwitchableDatabase();
    final Reports reports = new Reports();
    EventWriter writer;

    @BeforeEach
    void schema() throws SQLException {
        database.setURL("jdbc:h2:mem:writer-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(database).locations("classpath:db/migration")
                .placeholders(Map.of("legacy_issuer", "test", "node_id", "test-node")).load().migrate();
        try (Connection connection = database.getConnection(); Statement sql = connection.createStatement()) {
            for (String thread : List.of("t1", "t2")) {
                sql.execute("insert into chat_thread (id, owner_issuer, owner_id, title, created_at)"
                        + " values ('" + thread + "', 'i', 'u', 'x', current_timestamp)");
            }
            for (String run : List.of("r1", "r2", "r3")) {
                sql.execute("insert into agent_run (id, thread_id, started_at) values ('" + run + "', '"
                        + (run.equals("r3") ? "t2" : "t1") + "', current_timestamp)");
            }
        }
    }

    @AfterEach
    void stop() {
        if (writer != null) {
            writer.stop(Duration.ofSeconds(2));
        }
    }

    void start(int batchMax, Duration linger) {
        writer = writer(batchMax, linger, false, reports);
        writer.start();
    }

    EventWriter writer(int batchMax, Duration linger, boolean shared, Reports to) {
        return new EventWriter(database, new FrameCodec(), new EventWriter.Settings(batchMax, linger, 10_000, Duration.ofSeconds(1), shared),
                to, Executors.defaultThreadFactory(), Clock.systemUTC());
    }

    static RunEventFactory thinking(String text) {
        return (run, thread, seq, at) -> new ServerFrame.AgentThinking(run, thread, seq, at, text);
    }

    static EventAppend event(String thread, String run, String text) {
        return new EventAppend(thread, run, thinking(text), null, false);
    }

    void awaitStored(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reports.stored.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(count, reports.stored.size());
    }

    @Test
    void numbersEachThreadsEventsInAppendOrderAndStoresThemInFewTransactions() throws Exception {
        start(100, Duration.ofMillis(20));
        for (int i = 1; i <= 300; i++) {
            assertTrue(writer.append(event(i % 3 == 0 ? "t2" : "t1", i % 3 == 0 ? "r3" : "r1", "e" + i)));
        }
        awaitStored(300);
        List<Long> t1 = reports.stored.stream().filter(e -> e.threadId().equals("t1")).map(CommittedEvent::seq).toList();
        List<Long> t2 = reports.stored.stream().filter(e -> e.threadId().equals("t2")).map(CommittedEvent::seq).toList();
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList(), t1);
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList(), t2);
        assertTrue(reports.flushes.get() <= 10, "300 events in at most 10 transactions, not " + reports.flushes.get());
        assertTrue(reports.stored.get(0).json().contains("\"seq\":1"), "the JSON carries its seq");
        assertEquals(300, count("select count(*) from run_event"));
    }

    @Test
    void aClosingEventEndsItsRunInTheSameTransaction() throws Exception {
        start(10, Duration.ZERO);
        writer.append(event("t1", "r1", "working"));
        writer.append(new EventAppend("t1", "r1", thinking("done"), "COMPLETED", false));
        awaitStored(2);
        assertEquals(1, count("select count(*) from agent_run where id = 'r1' and outcome = 'COMPLETED' and ended_at is not null"));
    }

    @Test
    void aFailedFlushKeepsNothingFailsItsRunsAndWhatMustLandLandsWhenTheDatabaseIsBack() throws Exception {
        start(10, Duration.ZERO);
        writer.append(event("t1", "r1", "first"));
        awaitStored(1);
        database.down.set(true);
        writer.append(event("t1", "r1", "lost with the flush"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reports.failed.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(Map.of("r1", "t1"), reports.failed);
        writer.append(event("t1", "r1", "after the failure: dropped"));
        writer.append(new EventAppend("t1", "r1", thinking("substitute closing"), "STORAGE_UNAVAILABLE", true));
        Thread.sleep(300);
        database.down.set(false);
        awaitStored(2);
        CommittedEvent closing = reports.stored.get(1);
        assertEquals(2, closing.seq(), "no gap: the failed event left nothing behind");
        assertTrue(closing.json().contains("substitute closing"));
        assertEquals(2, count("select count(*) from run_event"));
        assertEquals(1, count("select count(*) from agent_run where id = 'r1' and outcome = 'STORAGE_UNAVAILABLE'"));
        writer.append(event("t1", "r2", "another run goes on"));
        awaitStored(3);
        assertEquals(3, reports.stored.get(2).seq());
    }

    @Test
    void twoWritersOfOneDatabaseNumberOneThreadWithoutAGapOrADuplicate() throws Exception {
        Reports otherReports = new Reports();
        writer = writer(7, Duration.ofMillis(1), true, reports);
        EventWriter other = writer(5, Duration.ofMillis(1), true, otherReports);
        writer.start();
        other.start();
        try {
            for (int i = 0; i < 400; i++) { // both append to both threads, in batches of different sizes
                assertTrue(writer.append(event(i % 2 == 0 ? "t1" : "t2", i % 2 == 0 ? "r1" : "r3", "a" + i)));
                assertTrue(other.append(event(i % 2 == 0 ? "t1" : "t2", i % 2 == 0 ? "r2" : "r3", "b" + i)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (reports.stored.size() + otherReports.stored.size() < 800 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } finally {
            other.stop(Duration.ofSeconds(2));
        }
        assertEquals(0, reports.failures.get() + otherReports.failures.get(), "no flush failed");
        for (String thread : List.of("t1", "t2")) {
            List<Long> seqs = new ArrayList<>();
            try (Connection connection = database.getConnection(); Statement sql = connection.createStatement();
                 ResultSet rows = sql.executeQuery("select seq from run_event where thread_id = '" + thread + "' order by seq")) {
                while (rows.next()) {
                    seqs.add(rows.getLong(1));
                }
            }
            assertEquals(java.util.stream.LongStream.rangeClosed(1, 400).boxed().toList(), seqs, thread);
        }
        List<Long> mine = reports.stored.stream().filter(e -> e.threadId().equals("t1")).map(CommittedEvent::seq).toList();
        assertEquals(mine.stream().sorted().toList(), mine, "each writer hands on its events in seq order");
    }

    @Test
    void appendsFromManyRunsAtOnceKeepEachRunsOrder() throws Exception {
        start(50, Duration.ofMillis(2));
        int runs = 8;
        int perRun = 200;
        try (Connection connection = database.getConnection(); Statement sql = connection.createStatement()) {
            for (int r = 0; r < runs; r++) {
                sql.execute("insert into agent_run (id, thread_id, started_at) values ('p" + r + "', 't1', current_timestamp)");
            }
        }
        var start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            String run = "p" + r;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perRun; i++) {
                    writer.append(event("t1", run, run + ":" + i));
                }
            });
            thread.start();
            threads.add(thread);
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        awaitStored(runs * perRun);
        for (int i = 0; i < reports.stored.size(); i++) {
            assertEquals(i + 1, reports.stored.get(i).seq(), "seq is gap-free and in delivery order");
        }
        for (int r = 0; r < runs; r++) {
            String run = "p" + r;
            List<String> texts = reports.stored.stream().filter(e -> e.runId().equals(run)).map(CommittedEvent::json).toList();
            for (int i = 0; i < perRun; i++) {
                assertTrue(texts.get(i).contains("\"" + run + ":" + i + "\""), "run " + run + " keeps its order");
            }
        }
    }

    long count(String query) throws SQLException {
        try (Connection connection = database.getConnection(); Statement sql = connection.createStatement();
             ResultSet result = sql.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }
}

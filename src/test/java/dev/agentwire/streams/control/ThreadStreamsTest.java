package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.cluster.control.NoPeers;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.json.Json;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.Supplier;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The stream on a real H2 with agentwire's schema: what a run appends reaches the thread's
 * subscribers once, in seq order, and a resume hands over from the log to the live events
 * without a gap or a duplicate while a run keeps appending.
 */
class ThreadStreamsTest {

    /** Records the seqs it was given; always has room. */
    static class RecordingSubscriber implements Subscriber {
        final Owner owner;
        final List<Long> seqs = new CopyOnWriteArrayList<>();
        final List<ServerFrame> frames = new CopyOnWriteArrayList<>();

        RecordingSubscriber(String user) {
            this.owner = new Owner("https://issuer.test", user);
        }

        @Override
        public Owner owner() {
            return owner;
        }

        @Override
        public boolean offer(String json) {
            seqs.add(Json.createReader(new StringReader(json)).readObject().getJsonNumber("seq").longValue());
            return true;
        }

        @Override
        public void send(ServerFrame frame) {
            frames.add(frame);
        }

        @Override
        public boolean awaitRoom(int frames, Duration timeout) throws InterruptedException {
            return true;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void fail(ErrorCode code, String message, String correlationId) {
            throw new AssertionError("failed with " + code);
        }

        boolean resumed() {
            return frames.stream().anyMatch(frame -> frame instanceof ServerFrame.Resumed);
        }
    }

    /** The log read over JDBC, as EventLog reads it over JPA. */
    static final class JdbcLog extends EventLog {
        final JdbcDataSource database;

        JdbcLog(JdbcDataSource database) {
            this.database = database;
        }

        @Override
        public List<StoredEvent> after(String threadId, long afterSeq, int limit) {
            try (Connection connection = database.getConnection();
                 PreparedStatement query = connection.prepareStatement(
                         "select seq, run_id, type, payload from run_event where thread_id = ? and seq > ? order by seq limit ?")) {
                query.setString(1, threadId);
                query.setLong(2, afterSeq);
                query.setInt(3, limit);
                List<StoredEvent> events = new ArrayList<>();
                try (ResultSet result = query.executeQuery()) {
                    while (result.next()) {
                        events.add(new StoredEvent(threadId, result.getLong(1), result.getString(2), result.getString(3),
                                result.getString(4), Instant.now()));
                    }
                }
                return events;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long latestSeq(String threadId) {
            List<StoredEvent> all = after(threadId, 0, Integer.MAX_VALUE);
            return all.isEmpty() ? 0 : all.get(all.size() - 1).seq();
        }
    }

    final JdbcDataSource database = new JdbcDataSource();
    ThreadStreams streams;

    @BeforeEach
    void start() throws SQLException {
        database.setURL("jdbc:h2:mem:streams-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(database).locations("classpath:db/migration")
                .placeholders(Map.of("legacy_issuer", "test", "node_id", "test-node")).load().migrate();
        try (Connection connection = database.getConnection(); Statement sql = connection.createStatement()) {
            sql.execute("insert into chat_thread (id, owner_issuer, owner_id, title, created_at)"
                    + " values ('t', 'https://issuer.test', 'u', 'x', current_timestamp)");
            for (String run : List.of("r1", "r2")) {
                sql.execute("insert into agent_run (id, thread_id, started_at) values ('" + run + "', 't', current_timestamp)");
            }
        }
        streams = new ThreadStreams();
        streams.batchMax = 50;
        streams.lingerMillis = 1;
        streams.queueCapacity = 10_000;
        streams.deliveryThreads = 2;
        streams.maxReplayEvents = 10_000;
        streams.replaysPerUser = 1;
        streams.replayThreads = 2;
        streams.drainTimeoutSeconds = 5;
        streams.database = database;
        streams.codec = new FrameCodec();
        streams.peers = new NoPeers(); // a single node
        streams.log = new JdbcLog(database);
        streams.metrics = new GatewayMetrics() {
            @Override
            public void gauge(String name, String description, Supplier<Number> value) {
            }

            @Override
            public void eventsFlushed(boolean committed, int events) {
            }
        };
        streams.threadFactory = new ManagedThreadFactory() {
            @Override
            public Thread newThread(Runnable task) {
                Thread thread = Executors.defaultThreadFactory().newThread(task);
                thread.setDaemon(true);
                return thread;
            }

            @Override
            public ForkJoinWorkerThread newThread(ForkJoinPool pool) {
                throw new UnsupportedOperationException();
            }
        };
        streams.start();
    }

    @AfterEach
    void stop() {
        streams.stop();
    }

    static void thinking(RunStream run, int i) {
        run.append((runId, threadId, seq, at) -> new ServerFrame.AgentThinking(runId, threadId, seq, at, "step " + i));
    }

    static void await(Supplier<Boolean> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(5);
        }
    }

    static List<Long> oneTo(long last) {
        return java.util.stream.LongStream.rangeClosed(1, last).boxed().toList();
    }

    @Test
    void followersGetEveryStoredEventOnceInOrder() throws Exception {
        var first = new RecordingSubscriber("u");
        var second = new RecordingSubscriber("u");
        streams.follow(first, "t");
        streams.follow(second, "t");
        RunStream run = streams.openRun("t", "r1");
        for (int i = 0; i < 100; i++) {
            thinking(run, i);
        }
        run.end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, "done", "completed"),
                RunOutcome.COMPLETED);
        await(() -> first.seqs.size() == 101 && second.seqs.size() == 101);
        assertEquals(oneTo(101), first.seqs);
        assertEquals(oneTo(101), second.seqs);
    }

    @Test
    void aResumeWhileARunAppendsHandsOverWithoutGapOrDuplicate() throws Exception {
        RunStream run = streams.openRun("t", "r1");
        for (int i = 0; i < 500; i++) {
            thinking(run, i);
        }
        await(() -> new JdbcLog(database).latestSeq("t") >= 100);
        var resuming = new RecordingSubscriber("u");
        Thread appender = new Thread(() -> {
            for (int i = 500; i < 1500; i++) {
                thinking(run, i);
            }
        });
        appender.start();
        streams.resume(resuming, "t", 0);
        appender.join();
        await(() -> resuming.seqs.size() >= 1500 && resuming.resumed());
        assertEquals(oneTo(1500), resuming.seqs);
    }

    @Test
    void oneReplayPerThreadAndConnectionAndAFutureSeqIsAnswered() throws Exception {
        RunStream run = streams.openRun("t", "r1");
        for (int i = 0; i < 3; i++) {
            thinking(run, i);
        }
        await(() -> new JdbcLog(database).latestSeq("t") == 3);
        var ahead = new RecordingSubscriber("v");
        streams.resume(ahead, "t", 99);
        var answer = (ServerFrame.ResumeUnavailable) ahead.frames.get(0);
        assertEquals("after_seq_ahead", answer.reason());
        assertEquals(3, answer.latestSeq());

        var busy = new SlowSubscriber("w");
        streams.resume(busy, "t", 0);
        var refused = assertThrows(GatewayException.class, () -> streams.resume(busy, "t", 0));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
        busy.room = true;
        await(busy::resumed);
        assertEquals(oneTo(3), busy.seqs, "the second resume sent nothing");
    }

    /** Has no room until told. */
    static final class SlowSubscriber extends RecordingSubscriber {
        volatile boolean room;

        SlowSubscriber(String user) {
            super(user);
        }

        @Override
        public boolean awaitRoom(int frames, Duration timeout) throws InterruptedException {
            while (!room) {
                Thread.sleep(5);
            }
            return true;
        }
    }
}

package dev.agentwire.agui.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A stream joined after every possible cursor: the client gets each event after it exactly once,
 * and what it gets passes the checks AG-UI's client makes (first RUN_STARTED, no content without
 * its start, nothing open at RUN_FINISHED).
 */
class JoinedRunTest {

    static final JsonObject MESSAGE = Json.createObjectBuilder().add("id", "m-1").add("role", "user").add("content", "hi").build();

    @Test
    void joinedAfterAnyCursorTheClientGetsExactlyTheRestAndAValidStream() {
        for (RunMappingTest.Log log : List.of(RunMappingTest.calculatorRun(), RunMappingTest.streamedRun())) {
            List<AguiEvent> whole = RunMappingTest.mapAll(log);
            for (int cut = 0; cut < whole.size(); cut++) {
                Cursor cursor = Cursor.parse(whole.get(cut).id()).orElseThrow();
                List<AguiEvent> joined = join(log, cursor);
                List<AguiEvent> rest = joined.stream().filter(e -> e.id() != null).toList();
                List<AguiEvent> expected = whole.subList(cut + 1, whole.size());
                if (expected.isEmpty()) {
                    expected = List.of(whole.get(whole.size() - 1)); // an ended run ends its stream again
                }
                assertEquals(expected, rest, "after " + cursor);
                verify(joined, "after " + cursor);
            }
        }
    }

    @Test
    void aResumedStreamBeginsWithASnapshotOfTheRunSoFarAndReopensWhatIsOpen() {
        RunMappingTest.Log log = RunMappingTest.streamedRun();
        List<AguiEvent> joined = join(log, Cursor.parse("3").orElseThrow()); // after "Hel"
        assertEquals(List.of("RUN_STARTED", "MESSAGES_SNAPSHOT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT",
                "TEXT_MESSAGE_END", "RUN_FINISHED"), RunMappingTest.types(joined));
        JsonObject snapshot = joined.get(1).event();
        assertEquals("m-1", snapshot.getJsonArray("messages").getJsonObject(0).getString("id"));
        JsonObject answer = snapshot.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .filter(m -> m.getString("id").equals(RunMappingTest.RUN + "-answer")).findFirst().orElseThrow();
        assertEquals("Hel", answer.getString("content"));
        assertNull(joined.get(2).id());
        assertEquals("4", joined.get(3).id());
    }

    @Test
    void aCursorBeforeTheRunIsTheWholeRun() {
        RunMappingTest.Log log = RunMappingTest.calculatorRun();
        assertEquals(RunMappingTest.mapAll(log), join(log, Cursor.parse("2").orElseThrow()));
        assertEquals(RunMappingTest.mapAll(log), join(log, null));
    }

    @Test
    void cursorsAreTheIdsAgentwireMakes() {
        assertEquals(new Cursor(42, 0), Cursor.parse("42").orElseThrow());
        assertEquals(new Cursor(42, 3), Cursor.parse("42.3").orElseThrow());
        for (String bad : List.of("", "abc", "-1", "4.0", "1.2.3", "99999999999999999999", "0", "0.1", "02", " 2", "2 ", "1.99999")) {
            assertTrue(Cursor.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void theRunKnowsEveryIdItSentAndNoOther() {
        for (RunMappingTest.Log log : List.of(RunMappingTest.calculatorRun(), RunMappingTest.streamedRun())) {
            List<AguiEvent> whole = RunMappingTest.mapAll(log);
            Set<String> ids = new HashSet<>();
            for (AguiEvent event : whole) {
                ids.add(event.id());
                assertTrue(JoinedRun.sent(RunMappingTest.THREAD, RunMappingTest.RUN, Cursor.parse(event.id()).orElseThrow(), log.events),
                        event.id());
            }
            long lastSeq = log.events.get(log.events.size() - 1).getJsonNumber("seq").longValue();
            for (long seq = 1; seq <= lastSeq + 1; seq++) {
                for (int index = 0; index <= 5; index++) {
                    Cursor cursor = new Cursor(seq, index);
                    String id = index == 0 ? Long.toString(seq) : seq + "." + index;
                    assertEquals(ids.contains(id), JoinedRun.sent(RunMappingTest.THREAD, RunMappingTest.RUN, cursor, log.events), id);
                }
            }
        }
    }

    private static List<AguiEvent> join(RunMappingTest.Log log, Cursor cursor) {
        JoinedRun run = new JoinedRun(RunMappingTest.THREAD, RunMappingTest.RUN, MESSAGE, cursor);
        List<AguiEvent> out = new ArrayList<>();
        log.events.forEach(e -> out.addAll(run.next(e)));
        assertTrue(run.ended());
        return out;
    }

    /** The stream rules of AG-UI's client verifier that a joined stream could break. */
    private static void verify(List<AguiEvent> stream, String context) {
        assertEquals("RUN_STARTED", stream.get(0).type(), context);
        Set<String> open = new HashSet<>();
        for (AguiEvent e : stream.subList(1, stream.size())) {
            JsonObject event = e.event();
            String key = switch (e.type()) {
                case "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END" -> "text:" + event.getString("messageId");
                case "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT", "REASONING_MESSAGE_END" -> "reasoning:" + event.getString("messageId");
                case "REASONING_START", "REASONING_END" -> "span:" + event.getString("messageId");
                case "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END" -> "tool:" + event.getString("toolCallId");
                default -> null;
            };
            if (e.type().equals("RUN_STARTED")) {
                throw new AssertionError("a second RUN_STARTED " + context);
            } else if (e.type().endsWith("_START")) {
                assertTrue(open.add(key), "opened twice: " + key + " " + context);
            } else if (e.type().endsWith("_END")) {
                assertTrue(open.remove(key), "closed without a start: " + key + " " + context);
            } else if (key != null) {
                assertTrue(open.contains(key), "content without a start: " + key + " " + context);
            } else if (e.type().equals("RUN_FINISHED")) {
                assertTrue(open.isEmpty(), "still open at the end: " + open + " " + context);
            }
        }
        assertEquals("RUN_FINISHED", stream.get(stream.size() - 1).type(), context);
    }
}

package dev.agentwire.agui.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunMappingTest {

    static final String THREAD = "thread-1";
    static final String RUN = "run-1";

    /** Stored events of a run as the WebSocket protocol has them, numbered from {@code firstSeq}. */
    static final class Log {
        final List<JsonObject> events = new ArrayList<>();
        long seq;

        Log(long firstSeq) {
            seq = firstSeq - 1;
        }

        Log add(String type, JsonObjectBuilder fields) {
            events.add(fields.add("type", type).add("run_id", RUN).add("thread_id", THREAD).add("seq", ++seq)
                    .add("timestamp", "2026-12-02T05:00:00Z").build());
            return this;
        }

        Log add(String type) {
            return add(type, Json.createObjectBuilder());
        }
    }

    static Log calculatorRun() {
        return new Log(5)
                .add("agent_started", Json.createObjectBuilder().add("agent", "offline"))
                .add("agent_thinking", Json.createObjectBuilder().add("text", "This needs a calculation: 12*(3+4)"))
                .add("tool_executing", Json.createObjectBuilder().add("tool", "calculator")
                        .add("input", Json.createObjectBuilder().add("expression", "12*(3+4)")))
                .add("tool_completed", Json.createObjectBuilder().add("tool", "calculator").add("output", "84").add("failed", false))
                .add("agent_completed", Json.createObjectBuilder().add("text", "12*(3+4) = 84").add("status", "completed"));
    }

    static Log streamedRun() {
        return new Log(1)
                .add("agent_started", Json.createObjectBuilder().add("agent", "openai:test"))
                .add("agent_thinking", Json.createObjectBuilder().add("text", "Asking test."))
                .add("agent_message_delta", Json.createObjectBuilder().add("text", "Hel"))
                .add("agent_message_delta", Json.createObjectBuilder().add("text", "lo"))
                .add("agent_completed", Json.createObjectBuilder().add("text", "Hello").add("status", "completed"));
    }

    static List<AguiEvent> mapAll(Log log) {
        RunMapping mapping = new RunMapping(THREAD, RUN);
        List<AguiEvent> out = new ArrayList<>();
        log.events.forEach(e -> out.addAll(mapping.map(e)));
        return out;
    }

    static List<String> types(List<AguiEvent> events) {
        return events.stream().map(AguiEvent::type).toList();
    }

    @Test
    void calculatorRunIsReasoningAToolCallWithItsResultAndTheAnswer() {
        List<AguiEvent> events = mapAll(calculatorRun());
        assertEquals(List.of("RUN_STARTED", "REASONING_START", "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT",
                "REASONING_MESSAGE_END", "REASONING_END", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END",
                "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"), types(events));
        assertEquals("{\"expression\":\"12*(3+4)\"}", events.get(7).event().getString("delta"));
        assertEquals(events.get(6).event().getString("toolCallId"), events.get(9).event().getString("toolCallId"));
        assertEquals("84", events.get(9).event().getString("content"));
        assertEquals("12*(3+4) = 84", events.get(11).event().getString("delta"));
        assertEquals(RUN, events.get(13).event().getString("runId"));
        assertEquals(THREAD, events.get(13).event().getString("threadId"));
        assertFalse(events.get(13).event().containsKey("outcome"), "a completed run needs no outcome");
    }

    @Test
    void theEventThatCompletesAStoredEventHasItsSeqAndTheOnesBeforeItSubIds() {
        List<AguiEvent> events = mapAll(calculatorRun());
        assertEquals(List.of("5", "6.1", "6.2", "6", "7.1", "7.2", "7.3", "7.4", "7", "8", "9.1", "9.2", "9.3", "9"),
                events.stream().map(AguiEvent::id).toList());
        assertTrue(events.stream().allMatch(e -> e.event().getJsonNumber("timestamp").longValue() > 0));
    }

    @Test
    void deltasStreamTheAnswerAndAreNotRepeatedAtTheEnd() {
        List<AguiEvent> events = mapAll(streamedRun());
        assertEquals(List.of("RUN_STARTED", "REASONING_START", "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT",
                "REASONING_MESSAGE_END", "REASONING_END", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CONTENT",
                "TEXT_MESSAGE_END", "RUN_FINISHED"), types(events));
        assertEquals("Hello", events.get(7).event().getString("delta") + events.get(8).event().getString("delta"));
    }

    @Test
    void errorsAndCancelsEndTheRun() {
        RunMapping mapping = new RunMapping(THREAD, RUN);
        Log log = new Log(1).add("agent_started").add("agent_message_delta", Json.createObjectBuilder().add("text", "Hi"))
                .add("agent_error", Json.createObjectBuilder().add("code", "AGENT_UNAVAILABLE").add("message", "The model backend is down."));
        List<AguiEvent> events = new ArrayList<>();
        log.events.forEach(e -> events.addAll(mapping.map(e)));
        AguiEvent error = events.get(events.size() - 1);
        assertEquals("RUN_ERROR", error.type());
        assertEquals("AGENT_UNAVAILABLE", error.event().getString("code"));
        assertEquals("The model backend is down.", error.event().getString("message"));
        assertTrue(mapping.ended());

        List<AguiEvent> cancelled = mapAll(new Log(1).add("agent_started")
                .add("agent_completed", Json.createObjectBuilder().add("status", "cancelled")));
        assertEquals("cancelled", cancelled.get(1).event().getJsonObject("outcome").getString("type"));
    }

    @Test
    void aRequestedFrontEndToolCallEndsTheRunWithItPending() {
        List<AguiEvent> events = mapAll(new Log(1).add("agent_started")
                .add("tool_call_requested", Json.createObjectBuilder().add("tool_call_id", "call_7").add("tool", "get_weather")
                        .add("arguments", "{\"city\":\"Oslo\"}"))
                .add("agent_completed", Json.createObjectBuilder().add("status", "awaiting_tools")));
        assertEquals(List.of("RUN_STARTED", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "RUN_FINISHED"), types(events));
        assertEquals("call_7", events.get(1).event().getString("toolCallId"));
        assertEquals("get_weather", events.get(1).event().getString("toolCallName"));
        assertEquals("{\"city\":\"Oslo\"}", events.get(2).event().getString("delta"));
        JsonObject outcome = events.get(4).event().getJsonObject("outcome");
        assertEquals("success", outcome.getString("type"));
        assertEquals("call_7", outcome.getJsonArray("pendingToolCallIds").getString(0));
    }

    @Test
    void eventsOfAnotherRunAndAfterTheEndAreIgnored() {
        RunMapping mapping = new RunMapping(THREAD, "another-run");
        assertTrue(calculatorRun().events.stream().allMatch(e -> mapping.map(e).isEmpty()));
    }

    @Test
    void aRunWaitingForApprovalEndsWithTheInterruptOutcome() {
        List<AguiEvent> events = mapAll(new Log(1)
                .add("agent_started", Json.createObjectBuilder().add("agent", "offline"))
                .add("approval_requested", Json.createObjectBuilder().add("interrupt_id", "int-1").add("tool_call_id", "call-1")
                        .add("tool", "save_note").add("arguments", Json.createObjectBuilder().add("text", "tea"))
                        .add("fingerprint", "sha256:ab").add("message", "Save a note: tea")
                        .add("expires_at", "2026-12-03T05:00:00Z").add("editable", true))
                .add("agent_completed", Json.createObjectBuilder().add("status", "awaiting_approval")));
        assertEquals(List.of("RUN_STARTED", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "RUN_FINISHED"), types(events));
        assertEquals("call-1", events.get(1).event().getString("toolCallId"));
        assertEquals("{\"text\":\"tea\"}", events.get(2).event().getString("delta"));
        JsonObject outcome = events.get(4).event().getJsonObject("outcome");
        assertEquals("interrupt", outcome.getString("type"));
        JsonObject interrupt = outcome.getJsonArray("interrupts").getJsonObject(0);
        assertEquals("int-1", interrupt.getString("id"));
        assertEquals("tool_approval", interrupt.getString("reason"));
        assertEquals("call-1", interrupt.getString("toolCallId"));
        assertEquals("2026-12-03T05:00:00Z", interrupt.getString("expiresAt"));
        assertEquals("sha256:ab", interrupt.getJsonObject("metadata").getString("fingerprint"));
    }

    @Test
    void theContinuingRunSendsTheResultAgainstTheOriginalCall() {
        List<AguiEvent> events = mapAll(new Log(4)
                .add("agent_started", Json.createObjectBuilder().add("agent", "offline"))
                .add("approval_resolved", Json.createObjectBuilder().add("interrupt_id", "int-1").add("tool_call_id", "call-1")
                        .add("tool", "save_note").add("decision", "approved"))
                .add("tool_executing", Json.createObjectBuilder().add("tool", "save_note").add("tool_call_id", "call-1")
                        .add("input", Json.createObjectBuilder().add("text", "tea")))
                .add("tool_completed", Json.createObjectBuilder().add("tool", "save_note").add("tool_call_id", "call-1")
                        .add("output", "Saved note 1: tea").add("failed", false))
                .add("agent_completed", Json.createObjectBuilder().add("text", "Saved note 1: tea").add("status", "completed")));
        assertEquals(List.of("RUN_STARTED", "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END",
                "RUN_FINISHED"), types(events));
        assertEquals("call-1", events.get(1).event().getString("toolCallId"));
        assertEquals("Saved note 1: tea", events.get(1).event().getString("content"));
        assertFalse(events.get(5).event().containsKey("outcome"));
    }
}

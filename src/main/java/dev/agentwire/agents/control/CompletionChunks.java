package dev.agentwire.agents.control;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Reads the OpenAI streaming format: server-sent events whose {@code data:} lines hold JSON
 * chunks, ended by {@code data: [DONE]}. Text pieces are passed on as they arrive; tool calls,
 * which arrive in pieces, are assembled; a malformed chunk is skipped and counted, never fatal.
 */
final class CompletionChunks {

    /** One reader factory for every chunk: {@code Json.createReader} looks its provider up each time (a class-path scan). */
    private static final JsonReaderFactory CHUNKS = Json.createReaderFactory(Map.of());

    private static final Logger LOG = Logger.getLogger(CompletionChunks.class.getName());

    private CompletionChunks() {
    }

    /** Where the model's answer lines arrive; read with {@link #next()}, which an interrupt ends. */
    interface Lines {
        /** The next line, or null at the end of the stream. */
        String next() throws IOException, InterruptedException;
    }


    /** Reads server-sent events until {@code data: [DONE]} or the end of the stream. */
    static ModelTurn read(Lines lines, Consumer<String> onText) throws IOException, InterruptedException {
        StringBuilder text = new StringBuilder();
        TreeMap<Integer, String[]> calls = new TreeMap<>(); // index -> id, name, arguments
        String finishReason = null;
        int malformed = 0;
        String line;
        while ((line = lines.next()) != null) {
            if (!line.startsWith("data:")) {
                continue; // comments, event names, blank separators
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                break;
            }
            JsonObject chunk;
            try {
                chunk = CHUNKS.createReader(new StringReader(data)).readObject();
            } catch (RuntimeException e) { // Parsson reports nesting past its limit as a plain RuntimeException
                malformed++;
                LOG.fine(() -> "skipping a malformed chunk from the model backend");
                continue;
            }
            if (!(chunk.get("choices") instanceof JsonArray choices)) {
                malformed++;
                continue;
            }
            if (choices.isEmpty() || !(choices.get(0) instanceof JsonObject choice)) {
                continue; // e.g. a final usage chunk
            }
            if (choice.get("finish_reason") instanceof JsonString reason) {
                finishReason = reason.getString();
            }
            if (!(choice.get("delta") instanceof JsonObject delta)) {
                continue;
            }
            if (delta.get("content") instanceof JsonString content && !content.getString().isEmpty()) {
                text.append(content.getString());
                onText.accept(content.getString());
            }
            if (delta.get("tool_calls") instanceof JsonArray toolCalls) {
                for (JsonValue value : toolCalls) {
                    if (value instanceof JsonObject call) {
                        accumulate(calls, call);
                    }
                }
            }
        }
        List<ToolCall> toolCalls = new ArrayList<>();
        calls.values().forEach(c -> toolCalls.add(new ToolCall(c[0], c[1], c[2])));
        return new ModelTurn(text.toString(), toolCalls, finishReason, malformed);
    }

    /** Tool calls arrive in pieces: the first names id and function, later ones add to the arguments. */
    private static void accumulate(TreeMap<Integer, String[]> calls, JsonObject piece) {
        String[] call = calls.computeIfAbsent(piece.getInt("index", calls.size()), i -> new String[] {null, null, ""});
        if (piece.get("id") instanceof JsonString id) {
            call[0] = id.getString();
        }
        if (piece.get("function") instanceof JsonObject function) {
            if (function.get("name") instanceof JsonString name) {
                call[1] = name.getString();
            }
            if (function.get("arguments") instanceof JsonString arguments) {
                call[2] += arguments.getString();
            }
        }
    }
}

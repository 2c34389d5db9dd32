package dev.agentwire.approvals.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

    private static JsonValue parse(String json) {
        return Json.createReader(new StringReader(json)).readValue();
    }

    @Test
    void equalValuesWrittenDifferentlyHaveOneText() {
        String a = CanonicalJson.of(parse("{ \"b\" : [1, {\"y\":true,\"x\":null}], \"a\":\"\\u00e9\" }"));
        String b = CanonicalJson.of(parse("{\"a\":\"é\",\"b\":[1,{\"x\":null,\"y\":true}]}"));
        assertEquals("{\"a\":\"é\",\"b\":[1,{\"x\":null,\"y\":true}]}", a);
        assertEquals(a, b);
    }

    @Test
    void keysAreSortedByUtf16CodeUnitsAsJavaScriptSortsThem() {
        assertEquals("{\"B\":1,\"a\":2,\"\uD83D\uDE00\":3,\"\uFFFD\":4}",
                CanonicalJson.of(parse("{\"\uFFFD\":4,\"a\":2,\"\uD83D\uDE00\":3,\"B\":1}")));
    }

    @Test
    void theFingerprintIsTheSha256OfTheCanonicalText() {
        String print = CanonicalJson.fingerprint(parse("{\"text\":\"hi\"}"));
        assertEquals("sha256:e7b995efa755c5ff3b84d2188b58cb4ae916a59470eb3761df8a814f11763500", print); // sha256sum of {"text":"hi"}
        assertEquals(print, CanonicalJson.fingerprint(parse("{ \"text\" : \"hi\" }")));
        assertNotEquals(print, CanonicalJson.fingerprint(parse("{\"text\":\"hi \"}")));
    }
}

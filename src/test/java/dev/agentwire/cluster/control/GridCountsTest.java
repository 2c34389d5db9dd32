package dev.agentwire.cluster.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GridCountsTest {

    @Test
    void countsPerNodeReadAndWriteAsOneSortedString() {
        Map<String, Integer> counts = GridCounts.parse("node-b=1,node-a=2");
        assertEquals(Map.of("node-a", 2, "node-b", 1), counts);
        assertEquals("node-a=2,node-b=1", GridCounts.format(counts), "sorted: equal counts compare equal in the grid");
        assertEquals(Map.of(), GridCounts.parse(null));
        assertEquals(Map.of(), GridCounts.parse(""));
        assertEquals(Map.of("agentwire-1.example", 3), GridCounts.parse(GridCounts.format(Map.of("agentwire-1.example", 3))));
    }
}

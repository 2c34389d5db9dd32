package dev.agentwire.cluster.control;

import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Counts that hold across the nodes: how many of something (connections, runs) each owner has
 * going, cluster-wide, kept per node so that a node's share goes when the node goes; and how many
 * of something each owner started in the current window (connections per minute). Values are
 * plain strings ({@code node-a=2,node-b=1}, sorted) changed with compare-and-set, so nothing of
 * agentwire's classes travels through the grid.
 */
final class GridCounts {

    private final IMap<String, String> going;
    private final IMap<String, Integer> windows;
    private final String nodeId;

    GridCounts(IMap<String, String> going, IMap<String, Integer> windows, String nodeId) {
        this.going = going;
        this.windows = windows;
        this.nodeId = nodeId;
    }

    /** Takes one of {@code key}'s at most {@code max} places, cluster-wide; false when all are taken. */
    boolean take(String key, int max) {
        while (true) {
            String current = going.get(key);
            Map<String, Integer> counts = parse(current);
            if (counts.values().stream().mapToInt(Integer::intValue).sum() >= max) {
                return false;
            }
            counts.merge(nodeId, 1, Integer::sum);
            if (current == null ? going.putIfAbsent(key, format(counts)) == null : going.replace(key, current, format(counts))) {
                return true;
            }
        }
    }

    /** Gives back one place of {@code key} that this node took. */
    void give(String key) {
        while (true) {
            String current = going.get(key);
            Map<String, Integer> counts = parse(current);
            if (!counts.containsKey(nodeId)) {
                return;
            }
            counts.computeIfPresent(nodeId, (node, count) -> count == 1 ? null : count - 1);
            if (counts.isEmpty() ? going.remove(key, current) : going.replace(key, current, format(counts))) {
                return;
            }
        }
    }

    /** Counts one more of {@code key} in the current window of {@code windowSeconds}; false when {@code max} are already in it. */
    boolean countInWindow(String key, int max, long windowSeconds) {
        String window = key + "@" + System.currentTimeMillis() / 1000 / windowSeconds;
        while (true) {
            Integer current = windows.get(window);
            if (current != null && current >= max) {
                return false;
            }
            if (current == null ? windows.putIfAbsent(window, 1, 2 * windowSeconds, TimeUnit.SECONDS) == null
                    : windows.replace(window, current, current + 1)) {
                return true;
            }
        }
    }

    /** Drops a departed node's share of every count. */
    void forget(String goneNodeId) {
        // one query for the entries that may hold the node's share, run where the map lives with
        // Hazelcast's own predicate (no class of ours travels), then compare-and-set on those alone
        for (Map.Entry<String, String> entry : going.entrySet(Predicates.like("this", "%" + goneNodeId + "=%"))) {
            String key = entry.getKey();
            String current = entry.getValue();
            while (true) {
                Map<String, Integer> counts = parse(current);
                if (counts.remove(goneNodeId) == null) {
                    break;
                }
                if (counts.isEmpty() ? going.remove(key, current) : going.replace(key, current, format(counts))) {
                    break;
                }
                current = going.get(key);
            }
        }
    }

    static Map<String, Integer> parse(String counts) {
        Map<String, Integer> parsed = new TreeMap<>();
        if (counts != null && !counts.isEmpty()) {
            for (String entry : counts.split(",")) {
                int at = entry.lastIndexOf('=');
                parsed.put(entry.substring(0, at), Integer.parseInt(entry.substring(at + 1)));
            }
        }
        return parsed;
    }

    static String format(Map<String, Integer> counts) {
        return new TreeMap<>(counts).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }
}

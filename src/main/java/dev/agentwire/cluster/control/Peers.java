package dev.agentwire.cluster.control;

import dev.agentwire.kernel.Owner;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The other nodes this node works with, or none: chosen once, at start, by
 * {@code agentwire.cluster.enabled} ({@link ClusterNode} produces it). Alone ({@link NoPeers})
 * every count is the node's own, nothing is published and nobody leaves; in a cluster the
 * {@link Grid} counts over every node and carries the wake-ups. Callers ask it instead of asking
 * which mode they are in.
 */
public interface Peers {

    /**
     * Whether other nodes write this node's database: a thread's seqs are then numbered under a
     * lock, a subscriber may miss events that another node stored (and reads them from the log),
     * and recovery ends only this node's runs.
     */
    boolean shareTheDatabase();

    /**
     * Takes one of an owner's at most {@code max} places of a kind ("connections", "runs") on the
     * other nodes too; false when they are all taken there. Alone always true: the node's own
     * count is all there is. Give it back with {@link #give}.
     */
    boolean take(String kind, Owner owner, int max);

    void give(String kind, Owner owner);

    /** Counts one more of an owner's events of a kind in the current minute, over every node; false past {@code max}. Alone always true. */
    boolean countThisMinute(String kind, Owner owner, int max);

    /** Tells the other nodes the last seq this node stored, per thread; never waits. */
    void published(Map<String, Long> lastSeqs);

    /** What the other nodes stored, as they publish it; called on a thread of the grid, so hand the work on. */
    void onStoredElsewhere(Consumer<Map<String, Long>> lastSeqs);

    /** The node id of a node that left, on the one survivor that takes care of it. */
    void onNodeGone(Consumer<String> nodeId);
}

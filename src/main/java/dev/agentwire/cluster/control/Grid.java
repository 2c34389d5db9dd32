package dev.agentwire.cluster.control;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.topic.ITopic;
import dev.agentwire.kernel.Owner;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The nodes' data grid: Payara Micro's own Hazelcast member, found in JNDI. It carries wake-ups,
 * never data of record: after a flush a node publishes the last seq it stored per thread, and a
 * node with subscribers of such a thread reads what it misses from the event log. A topic has no
 * replay, so a missed notice only delays delivery until the next one or the next gap.
 *
 * <p>The grid also knows which node id each member runs under (a map of member to node id), so
 * that when a member leaves exactly one survivor (the one whose removal of the entry succeeds)
 * ends that node's unfinished runs, unless a member has taken up the node id again (the node
 * restarted, and recovers its own runs). It keeps the per-owner counts of the cluster-wide limits
 * ({@link GridCounts}), each node's share apart, so a departed node's share is dropped.
 *
 * <p>Only created in cluster mode: nothing else in agentwire refers to Hazelcast, so the WAR
 * deploys where there is none (WildFly, or Payara Micro with {@code --nohazelcast}).
 */
public final class Grid implements Peers {

    static final String JNDI_NAME = "payara/Hazelcast";
    static final String NODES = "agentwire-nodes";
    static final String STORED = "agentwire-stored";
    static final String GOING = "agentwire-going";
    static final String WINDOWS = "agentwire-windows";

    private final HazelcastInstance hazelcast;
    private final IMap<String, String> nodes;
    private final ITopic<HashMap<String, Long>> stored;
    private final GridCounts counts;

    private Grid(HazelcastInstance hazelcast, String nodeId) {
        this.hazelcast = hazelcast;
        this.nodes = hazelcast.getMap(NODES);
        this.stored = hazelcast.getTopic(STORED);
        this.counts = new GridCounts(hazelcast.getMap(GOING), hazelcast.getMap(WINDOWS), nodeId);
        String member = hazelcast.getCluster().getLocalMember().getUuid().toString();
        // a node that restarted before the grid noticed it had gone takes its id over from its old member
        nodes.entrySet().stream().filter(e -> e.getValue().equals(nodeId)).map(Map.Entry::getKey).toList().forEach(nodes::remove);
        nodes.put(member, nodeId);
        counts.forget(nodeId); // what it counted before it restarted is gone with its old process
    }

    /** Joins the grid of this Payara Micro as {@code nodeId}; fails when the server has none. */
    static Grid join(String nodeId) {
        try {
            return new Grid((HazelcastInstance) new InitialContext().lookup(JNDI_NAME), nodeId);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("agentwire.cluster.enabled=true needs Payara Micro's data grid, and this server has"
                    + " none: start Payara Micro without --nohazelcast, with the nodes' discovery (--clustermode tcpip:HOST:PORT,…,"
                    + " dns:…, kubernetes:…); WildFly has no grid for agentwire");
        }
    }

    @Override
    public boolean shareTheDatabase() {
        return true;
    }

    /** Tells the other nodes the last seq this node stored, per thread. */
    @Override
    public void published(Map<String, Long> lastSeqs) {
        stored.publishAsync(new HashMap<>(lastSeqs)); // never holds up the event writer
    }

    /** What the other nodes stored, as they publish it; called on a grid thread, so hand the work on. */
    @Override
    public void onStoredElsewhere(Consumer<Map<String, Long>> lastSeqs) {
        stored.addMessageListener(message -> {
            if (!message.getPublishingMember().localMember()) {
                lastSeqs.accept(message.getMessageObject());
            }
        });
    }

    /** The node id of a member that left the grid, on the one survivor that takes care of it. */
    @Override
    public void onNodeGone(Consumer<String> nodeId) {
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                // a new member registers itself
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                String gone = nodes.remove(event.getMember().getUuid().toString());
                if (gone != null && !nodes.containsValue(gone)) {
                    counts.forget(gone);
                    nodeId.accept(gone);
                }
            }
        });
    }

    /**
     * Takes one of an owner's at most {@code max} places of a kind ("connections", "runs"),
     * counted over every node; false when they are all taken. Give it back with {@link #give}.
     */
    @Override
    public boolean take(String kind, Owner owner, int max) {
        return counts.take(key(kind, owner), max);
    }

    @Override
    public void give(String kind, Owner owner) {
        counts.give(key(kind, owner));
    }

    /** Counts one more of an owner's events of a kind in the current minute, over every node; false past {@code max}. */
    @Override
    public boolean countThisMinute(String kind, Owner owner, int max) {
        return counts.countInWindow(key(kind, owner), max, 60);
    }

    private static String key(String kind, Owner owner) {
        return kind + "\n" + owner.issuer() + "\n" + owner.userId();
    }

    /** How many members the grid has now. */
    public int members() {
        return hazelcast.getCluster().getMembers().size();
    }
}

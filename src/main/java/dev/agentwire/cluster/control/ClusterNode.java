package dev.agentwire.cluster.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * This node's place among the nodes that share one database. With {@code agentwire.cluster.enabled}
 * off (the default) this node is the only writer of its database; on, other nodes write the same
 * database, so the event log is numbered under a lock, recovery touches only this node's runs,
 * and the nodes tell each other what they stored through Payara Micro's data grid ({@link Grid}).
 * Cluster mode needs PostgreSQL and an explicit, unique, stable {@code agentwire.node.id}: the id
 * is stored with every run, and a node that restarts under its id ends the runs it left open.
 */
@ApplicationScoped
public class ClusterNode {

    /** The node id of a single node, stored with its runs. */
    public static final String SINGLE = "single";
    static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    static final String DEFAULT_DB_URL = "jdbc:h2:file:./data/agentwire;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";

    @Inject
    @ConfigProperty(name = "agentwire.cluster.enabled", defaultValue = "false")
    boolean enabled;

    @Inject
    @ConfigProperty(name = "agentwire.node.id", defaultValue = SINGLE)
    String nodeId;

    @Inject
    @ConfigProperty(name = "agentwire.db.url", defaultValue = DEFAULT_DB_URL)
    String databaseUrl;

    private static final Logger LOG = Logger.getLogger(ClusterNode.class.getName());

    private Grid grid;

    @PostConstruct
    void join() {
        try {
            check(enabled, nodeId, databaseUrl);
            if (enabled) {
                grid = Grid.join(nodeId);
                LOG.info(() -> "Cluster mode: node " + nodeId + ", one of " + grid.members()
                        + " members of the grid, sharing its database with the other nodes");
            }
        } catch (IllegalStateException e) {
            LOG.severe("agentwire cannot start: " + e.getMessage());
            throw e;
        }
    }

    /** Refuses a configuration under which nodes could corrupt each other's data. */
    static void check(boolean enabled, String nodeId, String databaseUrl) {
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalStateException("agentwire.node.id must be 1 to 64 letters, digits, '.', '_' or '-', but is '"
                    + nodeId + "'");
        }
        if (!enabled) {
            return;
        }
        if (!databaseUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalStateException("agentwire.cluster.enabled=true needs PostgreSQL as the database that the nodes share"
                    + " (agentwire.db.url=jdbc:postgresql://…, agentwire.db.datasource-class=org.postgresql.ds.PGSimpleDataSource),"
                    + " but agentwire.db.url is " + databaseUrl.replaceFirst(";.*", "") + ": an H2 file belongs to one process");
        }
        if (nodeId.equals(SINGLE)) {
            throw new IllegalStateException("agentwire.cluster.enabled=true needs agentwire.node.id: a name unique among the"
                    + " nodes and kept across restarts (the host name of a container, say), so that a node that restarts"
                    + " ends its own interrupted runs and no other node's");
        }
    }

    public String nodeId() {
        return nodeId;
    }

    /** The other nodes, chosen once: the grid in cluster mode, none otherwise. */
    @Produces
    @ApplicationScoped
    Peers peers() {
        return enabled ? grid : new NoPeers();
    }
}

package dev.agentwire.threads.control;

import dev.agentwire.cluster.control.ClusterNode;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The database, and its schema brought up to date by the Flyway migrations in db/migration
 * before anything else touches it. Fails the deployment when the database cannot be reached.
 *
 * <p>The data source attributes use Payara's {@code ${MPCONFIG=key:default}} substitution, read
 * from system properties and environment variables (not from the application's own
 * microprofile-config.properties, which Payara reads later). WildFly does not resolve that syntax:
 * there the {@code <data-source>} of the same name in WEB-INF/jboss-web.xml replaces this
 * definition, with the same keys in WildFly's expression syntax.
 *
 * <p>The class decides the pool's kind: Payara makes an XA pool of any class that implements
 * {@code XADataSource}, as H2's {@code JdbcDataSource} does, and then runs every transaction
 * through the JTS two-phase path although there is one resource. H2's {@code Driver} (and
 * PostgreSQL's {@code PGSimpleDataSource}) give a local-transaction pool.
 *
 * <p>The migrations run outside any container transaction (bean-managed): Flyway commits each
 * migration on its own connection and switches auto-commit, which WildFly's pool refuses inside a
 * JTA transaction (IJ031017).
 */
@DataSourceDefinition(
        name = SchemaMigrations.DATA_SOURCE,
        className = "${MPCONFIG=agentwire.db.datasource-class:org.h2.Driver}",
        url = "${MPCONFIG=agentwire.db.url:jdbc:h2:file:./data/agentwire;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0}",
        user = "${MPCONFIG=agentwire.db.user:agentwire}",
        password = "${MPCONFIG=agentwire.db.password:agentwire}",
        minPoolSize = 2,
        maxPoolSize = 32,
        loginTimeout = 5,
        properties = {
                // a database that is down answers within seconds, not after the default minute
                "fish.payara.max-wait-time-in-millis=5000",
                "fish.payara.connection-creation-retry-attempts=0",
                "fish.payara.is-connection-validation-required=true",
                "fish.payara.connection-validation-method=auto-commit",
                "fish.payara.fail-all-connections=true"
        })
@Singleton
@Startup
@TransactionManagement(TransactionManagementType.BEAN)
public class SchemaMigrations {

    public static final String DATA_SOURCE = "java:app/jdbc/agentwire";
    static final String DEVELOPMENT_ISSUER = "agentwire-dev-issuer";
    private static final Logger LOG = Logger.getLogger(SchemaMigrations.class.getName());

    @Resource(lookup = DATA_SOURCE)
    DataSource dataSource;

    @Inject
    ClusterNode node;

    /**
     * Who owned the threads written before owners had an issuer: the configured identity
     * provider when there is one, else the development issuer, the only one that existed then.
     */
    static String legacyIssuer() {
        return ConfigProvider.getConfig().getOptionalValue("mp.jwt.verify.issuer", String.class)
                .filter(issuer -> !issuer.isBlank())
                .orElse(DEVELOPMENT_ISSUER);
    }

    @PostConstruct
    void migrate() {
        try {
            var result = Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("legacy_issuer", legacyIssuer(), "node_id", node.nodeId()))
                    .load()
                    .migrate();
            LOG.info(() -> "Database schema at version " + result.targetSchemaVersion
                    + " (" + result.migrationsExecuted + " migrations applied now)");
        } catch (FlywayException e) {
            LOG.severe("agentwire cannot start: the database is unreachable or its schema cannot be migrated;"
                    + " check agentwire.db.url, agentwire.db.user and agentwire.db.password. Cause: " + e.getMessage());
            throw e;
        }
    }
}

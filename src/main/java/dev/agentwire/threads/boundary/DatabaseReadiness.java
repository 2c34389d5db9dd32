package dev.agentwire.threads.boundary;

import dev.agentwire.threads.control.SchemaMigrations;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the database answers: without it no message can be accepted.
 *
 * <p>Made when the application starts, so the data source is resolved on a deployment thread:
 * WildFly runs health checks on a management thread where {@code java:app} is not bound, and an
 * instance first made there could not resolve it.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    @Resource(lookup = SchemaMigrations.DATA_SOURCE)
    DataSource dataSource;

    /** Being called makes the container create this bean, and inject its data source, now. */
    void atStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        // the injection is the point; nothing else to do
    }

    @Override
    public HealthCheckResponse call() {
        boolean reachable;
        try (Connection connection = dataSource.getConnection()) {
            reachable = connection.isValid(2);
        } catch (SQLException | RuntimeException e) {
            reachable = false;
        }
        return HealthCheckResponse.named("agentwire-database").status(reachable).build();
    }
}

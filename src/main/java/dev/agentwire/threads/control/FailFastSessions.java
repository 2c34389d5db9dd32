package dev.agentwire.threads.control;

import org.eclipse.persistence.config.SessionCustomizer;
import org.eclipse.persistence.sessions.Session;

/**
 * EclipseLink-specific (named in persistence.xml, ignored by other providers): when the
 * database is unreachable, EclipseLink retries each query three times, five seconds apart, so a
 * chat frame would wait fifteen seconds for its STORAGE_UNAVAILABLE. Fail at once instead; the
 * client retries, and readiness already says the database is down.
 */
public class FailFastSessions implements SessionCustomizer {

    @Override
    public void customize(Session session) {
        session.getLogin().setQueryRetryAttemptCount(0);
    }
}

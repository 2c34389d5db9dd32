package dev.agentwire.agents.control;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The agent that answers every run, chosen by {@code agentwire.agent.backend} when the
 * application starts: an unknown backend or one that cannot be set up fails the deployment.
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class AgentBackend {

    private static final Logger LOG = Logger.getLogger(AgentBackend.class.getName());

    @Inject
    @ConfigProperty(name = "agentwire.agent.backend", defaultValue = "offline")
    String backend;

    @Inject
    Instance<OfflineAgent> offlineAgent;

    @Inject
    Instance<OpenAiAgent> openAiAgent;

    private Agent agent;

    @PostConstruct
    void choose() {
        try {
            agent = switch (backend) {
                case "offline" -> offlineAgent.get();
                case "openai" -> openAiAgent.get();
                default -> throw new IllegalStateException("agentwire.agent.backend must be offline or openai, not " + backend);
            };
        } catch (RuntimeException e) {
            LOG.severe("agentwire cannot start: " + e.getMessage());
            throw e;
        }
        LOG.info(() -> "Agent backend: " + agent.name());
    }

    public Agent agent() {
        return agent;
    }
}

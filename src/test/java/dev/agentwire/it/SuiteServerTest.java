package dev.agentwire.it;

import java.net.URL;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** A test against the suite's one deployment ({@link AgentwireDeployment}) on the shared Payara Micro. */
@ExtendWith(ArquillianExtension.class)
public abstract class SuiteServerTest {

    @ArquillianResource
    URL deployment;

    protected Server server;

    @BeforeEach
    void findTheServer() {
        server = Server.of(deployment);
    }
}

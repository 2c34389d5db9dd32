package dev.agentwire.it;

import java.io.File;
import org.eu.ingwar.tools.arquillian.extension.suite.annotations.ArquillianSuiteDeployment;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The one deployment every *IT shares, so Payara Micro starts once per run: the WAR that
 * {@code mvn package} built, plus test-only classes that let tests provoke a bug in a frame
 * handler, a failing agent, and REST errors the API itself cannot produce.
 */
@ArquillianSuiteDeployment
public class AgentwireDeployment {

    @Deployment(testable = false)
    public static WebArchive agentwire() {
        File war = new File(System.getProperty("agentwire.war", "target/agentwire.war"));
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war").importFrom(war).as(WebArchive.class)
                .addClasses(FaultyChatHandler.class, FaultyAgent.class, FaultyResource.class, FaultyResource.Note.class);
    }
}

package dev.agentwire.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * WildFly started the way README.md's "On WildFly" section runs it: the WildFly that Maven
 * unpacked under target/, its standalone.xml changed by server-config/wildfly/agentwire.cli, and
 * the WAR that {@code mvn package} built, deployed at the root context. Each server gets its own
 * base directory under {@code workDir}, a free port offset and loopback-only interfaces, and
 * trusts the test issuer's keys.
 */
public final class WildFlyProcess implements AutoCloseable {

    /** The configuration the CLI script writes, next to WildFly's stock ones. */
    static final String CONFIG = "standalone-agentwire.xml";
    private static final int HTTP = 8080;
    private static final int MANAGEMENT = 9990;
    /** Every socket binding of standalone.xml, all shifted by the offset. */
    private static final int[] PORTS = {HTTP, MANAGEMENT, 8443, 8009, 9993, 4712, 4713};

    private final Process process;
    private final Path log;
    private final Path deployments;
    private final int offset;

    private WildFlyProcess(Process process, Path log, Path deployments, int offset) {
        this.process = process;
        this.log = log;
        this.deployments = deployments;
        this.offset = offset;
    }

    /** Starts WildFly with the WAR in a base directory under {@code workDir}; the system properties are added to the server's. */
    public static WildFlyProcess start(Path workDir, String... systemProperties) throws IOException, InterruptedException {
        return start(workDir, Map.of(), systemProperties);
    }

    /** The same, with environment variables for the server. */
    public static WildFlyProcess start(Path workDir, Map<String, String> environment, String... systemProperties)
            throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("wildfly.home"));
        configure(home);
        Path base = workDir.resolve("standalone");
        copyTree(home.resolve("standalone/configuration"), base.resolve("configuration"));
        Path deployments = Files.createDirectories(base.resolve("deployments"));
        Files.copy(Path.of(System.getProperty("agentwire.war")), deployments.resolve("ROOT.war"), StandardCopyOption.REPLACE_EXISTING);

        int offset = freeOffset();
        Path log = logs().resolve("wildfly-" + (HTTP + offset) + ".log");
        List<String> command = new ArrayList<>(List.of("sh", home.resolve("bin/standalone.sh").toString(),
                "-c", CONFIG,
                "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + offset,
                "-b", "127.0.0.1", "-bmanagement", "127.0.0.1"));
        command.addAll(List.of(systemProperties));
        var builder = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JBOSS_HOME", home.toString());
        // the script then forwards SIGTERM to the server's JVM and waits for it
        builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
        builder.environment().putAll(environment);
        return new WildFlyProcess(builder.start(), log, deployments, offset);
    }

    /** System properties that make the server trust {@link TestTokens}. */
    public static String[] trustingTestTokens(String... more) {
        return PayaraProcess.trustingTestTokens(more);
    }

    /**
     * Applies server-config/wildfly/agentwire.cli to a copy of standalone.xml, once per unpacked
     * WildFly (the embedded CLI takes about 20 s here).
     */
    private static synchronized void configure(Path home) throws IOException, InterruptedException {
        Path config = home.resolve("standalone/configuration").resolve(CONFIG);
        if (Files.exists(config)) {
            return;
        }
        Path partial = home.resolve("standalone/configuration/standalone-agentwire-partial.xml");
        Files.copy(home.resolve("standalone/configuration/standalone.xml"), partial, StandardCopyOption.REPLACE_EXISTING);
        Path script = Path.of(System.getProperty("agentwire.basedir"), "server-config/wildfly/agentwire.cli");
        Path cliLog = logs().resolve("wildfly-cli.log");
        var cli = new ProcessBuilder("sh", home.resolve("bin/jboss-cli.sh").toString(),
                "--file=" + script, "-Dconfig=" + partial.getFileName())
                .directory(home.toFile()).redirectErrorStream(true).redirectOutput(cliLog.toFile());
        cli.environment().put("JAVA_HOME", System.getProperty("java.home"));
        cli.environment().put("JBOSS_HOME", home.toString());
        Process process = cli.start();
        if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("agentwire.cli failed:\n" + Files.readString(cliLog));
        }
        Files.move(partial, config);
    }

    /** Waits until the deployment scanner deployed the WAR or gave up on it; true when it deployed. */
    public boolean awaitDeployment() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.exists(deployments.resolve("ROOT.war.deployed"))) {
                return true;
            }
            if (Files.exists(deployments.resolve("ROOT.war.failed"))) {
                return false;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("WildFly did not deploy the WAR:\n" + log());
    }

    /** Deploys and insists that readiness is UP. */
    public WildFlyProcess awaitReady() throws IOException, InterruptedException {
        if (!awaitDeployment()) {
            throw new IllegalStateException("the deployment failed:\n" + log());
        }
        HttpResponse<String> readiness = management("health/ready");
        if (readiness.statusCode() != 200) {
            throw new IllegalStateException("not ready (" + readiness.statusCode() + "): " + readiness.body() + "\n" + log());
        }
        return this;
    }

    /** The application port. */
    public Server server() {
        return new Server(URI.create("http://127.0.0.1:" + (HTTP + offset) + "/"));
    }

    /** A GET on the management port, where WildFly serves health and metrics. */
    public HttpResponse<String> management(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (MANAGEMENT + offset) + "/" + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Stops the server as an operator would (SIGTERM) and waits for it to exit. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> jvm = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            jvm.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }

    private static Path logs() throws IOException {
        // logs outlive the test's working directory, for reading after a failure
        return Files.createDirectories(Path.of(System.getProperty("agentwire.basedir"), "target", "it-logs"));
    }

    /** An offset under which every port WildFly binds is free now. */
    private static int freeOffset() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset;
            try (var socket = new ServerSocket(0)) {
                offset = socket.getLocalPort() % 20000 + 10000 - HTTP;
            }
            if (offset > 0 && allFree(offset)) {
                return offset;
            }
        }
        throw new IllegalStateException("no free port offset for WildFly");
    }

    private static boolean allFree(int offset) {
        for (int port : PORTS) {
            try (var socket = new ServerSocket(port + offset)) {
                socket.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}

package dev.agentwire.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Payara Micro started the way the README runs it, for tests that need to stop it, restart it,
 * or give it a configuration of their own. Trusts the test issuer's keys like the suite server.
 */
public final class PayaraProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private PayaraProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts Payara Micro with the WAR in {@code workDir}; the options are added to the JVM's. */
    public static PayaraProcess start(Path workDir, Map<String, String> environment, String... jvmOptions) throws IOException {
        return start(workDir, environment, List.of(), jvmOptions);
    }

    /** The same, with more Payara Micro options ({@code --sslport}, {@code --postbootcommandfile}, …). */
    public static PayaraProcess start(Path workDir, Map<String, String> environment, List<String> microOptions, String... jvmOptions)
            throws IOException {
        return start(workDir, warOfTheBuild(), environment, false, microOptions, jvmOptions);
    }

    /** The same with another WAR than the one {@code mvn package} built (one with test-only classes added). */
    public static PayaraProcess start(Path workDir, Path war, Map<String, String> environment, List<String> microOptions,
                                      String... jvmOptions) throws IOException {
        return start(workDir, war, environment, false, microOptions, jvmOptions);
    }

    /** A member of a data grid: Payara Micro's Hazelcast on, found by {@code gridOptions} (--clustermode, …). */
    public static PayaraProcess startInGrid(Path workDir, Map<String, String> environment, List<String> gridOptions,
                                            String... jvmOptions) throws IOException {
        return start(workDir, warOfTheBuild(), environment, true, gridOptions, jvmOptions);
    }

    /** The same with another WAR than the one {@code mvn package} built. */
    public static PayaraProcess startInGrid(Path workDir, Path war, Map<String, String> environment, List<String> gridOptions,
                                            String... jvmOptions) throws IOException {
        return start(workDir, war, environment, true, gridOptions, jvmOptions);
    }

    private static Path warOfTheBuild() {
        return Path.of(System.getProperty("agentwire.war"));
    }

    private static PayaraProcess start(Path workDir, Path war, Map<String, String> environment, boolean grid,
                                       List<String> microOptions, String... jvmOptions) throws IOException {
        int port = freePort();
        String basedir = System.getProperty("agentwire.basedir");
        // logs outlive the test's working directory, for reading after a failure
        Path log = Files.createDirectories(Path.of(basedir, "target", "it-logs")).resolve("payara-" + port + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", System.getProperty("payara.microJar")));
        if (!grid) {
            command.add("--nohazelcast");
        }
        command.addAll(List.of("--port", Integer.toString(port),
                "--prebootcommandfile", Path.of(basedir, "src/test/resources/loopback-only.asadmin").toString()));
        command.addAll(microOptions);
        command.addAll(List.of("--deploy", war.toString(), "--contextroot", "/"));
        var builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return new PayaraProcess(builder.start(), log, port);
    }

    /** JVM options that make the server trust {@link TestTokens}. */
    public static String[] trustingTestTokens(String... more) {
        List<String> options = new ArrayList<>(List.of(
                "-Dmp.jwt.verify.publickey.location=" + Path.of(System.getProperty("agentwire.basedir"),
                        "src/test/resources/keys/test-verification-keys.jwks.json"),
                "-Dmp.jwt.verify.issuer=" + TestTokens.ISSUER,
                "-Dagentwire.auth.required-role=" + TestTokens.ROLE));
        options.addAll(List.of(more));
        return options.toArray(String[]::new);
    }

    /** Waits until Payara Micro says it is ready, then returns the HTTP status of /health/ready. */
    public int awaitStarted() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos(); // a loaded CI machine
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.readString(log).contains(" ready in ")) {
                return readiness().statusCode();
            }
            Thread.sleep(200);
        }
        String output = log();
        close(); // nobody else holds this process yet: a caller's try-with-resources never got it
        throw new IllegalStateException("Payara Micro did not start:\n" + output);
    }

    /** Starts and insists that readiness is UP. */
    public PayaraProcess awaitReady() throws IOException, InterruptedException {
        int status = awaitStarted();
        if (status != 200) {
            String why = "not ready (" + status + "): " + readiness().body() + "\n" + log();
            close();
            throw new IllegalStateException(why);
        }
        return this;
    }

    public HttpResponse<String> readiness() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public Server server() {
        return new Server(URI.create("http://127.0.0.1:" + port + "/"));
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public int exitValue() {
        return process.exitValue();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Kills the server (SIGKILL): a crash, with no shutdown of any kind. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Stops the server as an operator would (SIGTERM) and waits for it to exit. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(Duration.ofSeconds(60).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

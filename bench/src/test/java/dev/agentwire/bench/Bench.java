package dev.agentwire.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The orchestrator behind {@code mvn -f bench/pom.xml verify}: prepares the servers (a copy of
 * agentwire.war and payara-micro.jar, the baseline WAR, Node ws), the benchmark identity provider
 * (an RSA key and one token per benchmark user), then for every run and every target starts the
 * server, warms it up, runs every scenario through the Gatling Maven plugin
 * ({@code mvn gatling:test}), and stops it. Then the JFR pass, the medians, ratios, chart and the
 * results block of docs/benchmarks.md ({@link Report}). Every process it starts is stopped when
 * it ends or fails.
 */
public final class Bench {

    static final Path BENCH = Path.of("").toAbsolutePath();
    static final Path ROOT = BENCH.getParent();
    static final Path WORK = BENCH.resolve("target/bench");
    static final Path DIST = WORK.resolve("dist");
    static final Path RESULTS = BENCH.resolve("results");
    static final String ISSUER = "https://bench.agentwire.dev";
    static final int TOKENS = 10_100;

    static final int RUNS = Integer.getInteger("bench.runs", 3);
    static final boolean QUICK = Boolean.getBoolean("bench.quick");
    static final List<String> TARGETS = List.of(System.getProperty("bench.targets",
            "baseline,agentwire,node,baseline-tuned").split(","));
    static final List<String> SCENARIOS = List.of(System.getProperty("bench.scenarios", "handshake,capacity,chat").split(","));
    static final boolean PROFILE = Boolean.parseBoolean(System.getProperty("bench.profile", "true"));
    static final int WARMUP_HANDSHAKE_SECONDS = Integer.getInteger("bench.warmup.handshake-seconds", 20);
    static final int WARMUP_MESSAGES = Integer.getInteger("bench.warmup.messages", 300);
    static final String MAVEN = System.getProperty("bench.maven", "mvn");
    static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    /** The JVM settings of both Payara Micro servers (agentwire and the baseline): the same. */
    static final List<String> PAYARA_JVM = List.of("-Xmx1g");

    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(Bench::stopAll));
        long t0 = System.nanoTime();
        try {
            log("bench: runs=" + RUNS + " quick=" + QUICK + " targets=" + TARGETS + " scenarios=" + SCENARIOS);
            Path runsDir = WORK.resolve("runs");
            if (Live.SCENARIOS.containsAll(SCENARIOS)) { // live sessions: agentwire only, a report of its own
                if (!Boolean.getBoolean("bench.reportOnly")) {
                    prepare();
                }
                Live.run(t0);
                return;
            }
            if (Streaming.SCENARIOS.containsAll(SCENARIOS)) { // streaming through the model backend, a report of its own
                if (!Boolean.getBoolean("bench.reportOnly")) {
                    prepare();
                }
                Streaming.run(t0);
                return;
            }
            if (SCENARIOS.equals(List.of(CrossNode.SCENARIO))) { // delivery across two nodes, a report of its own
                prepare();
                CrossNode.run(t0);
                return;
            }
            if (SCENARIOS.equals(List.of(Soak.SCENARIO))) { // the soak, agentwire only, a report of its own
                prepare();
                Soak.run(t0);
                return;
            }
            if (Boolean.getBoolean("bench.reportOnly")) { // re-aggregate the last runs (development aid)
                Map<String, String> profiles = new LinkedHashMap<>();
                for (String target : TARGETS) {
                    Path p = RESULTS.resolve("profile-" + target + ".txt");
                    Path dir = WORK.resolve("profile").resolve(target);
                    if (Files.exists(dir.resolve("chat.jfr"))) { // summarise the recordings again (the path list may have grown)
                        Files.writeString(p, Profiler.summarise(target, dir));
                    }
                    if (Files.exists(p)) {
                        profiles.put(target, Files.readString(p));
                    }
                }
                Report.write(runsDir, profiles, Duration.ofNanos(System.nanoTime() - t0));
                return;
            }
            prepare();
            deleteTree(runsDir);
            Files.createDirectories(runsDir);
            Files.copy(Path.of("/proc/loadavg"), runsDir.resolve("loadavg.txt"));
            for (int run = 1; run <= RUNS; run++) {
                for (String target : TARGETS) {
                    runTarget(run, target, runsDir.resolve("r" + run).resolve(target));
                }
            }
            Map<String, String> profiles = new LinkedHashMap<>();
            if (PROFILE) {
                for (String target : List.of("baseline", "agentwire", "baseline-tuned")) {
                    if (TARGETS.contains(target)) {
                        profiles.put(target, Profiler.profile(target, WORK.resolve("profile").resolve(target)));
                    }
                }
            }
            Report.write(runsDir, profiles, Duration.ofNanos(System.nanoTime() - t0));
        } finally {
            stopAll();
        }
        log("bench: done in " + Duration.ofNanos(System.nanoTime() - t0).toSeconds() + " s");
    }

    // ---------------------------------------------------------------- preparation

    static void prepare() throws Exception {
        Files.createDirectories(DIST);
        if (Boolean.getBoolean("bench.rebuild")) {
            exec(ROOT, List.of(MAVEN, "-q", "-f", ROOT.resolve("pom.xml").toString(), "package", "-DskipTests"), null);
        }
        // copies, so that a concurrent rebuild of the product does not break the run
        for (String file : List.of("agentwire.war", "payara-micro.jar")) {
            Path source = ROOT.resolve("target").resolve(file);
            if (!Files.exists(source)) {
                exec(ROOT, List.of(MAVEN, "-q", "-f", ROOT.resolve("pom.xml").toString(), "package", "-DskipTests"), null);
            }
            Files.copy(source, DIST.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        buildBaselineWar(DIST.resolve("baseline.war"));
        if (TARGETS.contains("agentwire-tuned")) {
            buildPatchedWar(); // experiment only: Payara's Weld integration needs the default executor (docs/benchmarks.md)
        }
        if (TARGETS.contains("node") && !Files.isDirectory(BENCH.resolve("node/node_modules/ws"))) {
            exec(BENCH.resolve("node"), List.of("npm", "install", "--no-audit", "--no-fund"), null);
        }
        makeKeysAndTokens();
    }

    /** baseline.war: WEB-INF/classes with the one endpoint class, nothing else. */
    static void buildBaselineWar(Path war) throws IOException {
        Path classes = BENCH.resolve("target/classes");
        try (var zip = new ZipOutputStream(Files.newOutputStream(war)); Stream<Path> files = Files.walk(classes)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)
                    .filter(f -> f.toString().contains("/bench/baseline/"))::iterator) {
                zip.putNextEntry(new ZipEntry("WEB-INF/classes/" + classes.relativize(file)));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }

    /** The benchmark identity provider: an RS256 key (JWKS for the server) and tokens.csv (user,token). */
    static void makeKeysAndTokens() throws Exception {
        Path jwks = WORK.resolve("keys/verification.jwks.json");
        Path tokens = WORK.resolve("tokens.csv");
        if (Files.exists(tokens) && Files.exists(jwks)
                && Files.getLastModifiedTime(tokens).toInstant().isAfter(Instant.now().minus(Duration.ofHours(6)))) {
            return;
        }
        log("bench: signing " + TOKENS + " tokens");
        RSAKey key = new RSAKeyGenerator(2048).keyID("bench-rsa").generate();
        Files.createDirectories(jwks.getParent());
        Files.writeString(jwks, new JWKSet(key.toPublicJWK()).toString());
        var signer = new RSASSASigner(key);
        var csv = new StringBuilder("user,token\n");
        Instant now = Instant.now();
        for (int i = 1; i <= TOKENS; i++) {
            String user = String.format("bench-user-%05d", i);
            var claims = new JWTClaimsSet.Builder().issuer(ISSUER).subject(user).claim("upn", user)
                    .claim("groups", List.of("chat")).issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plus(Duration.ofHours(12)))).build();
            var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
            jwt.sign(signer);
            csv.append(user).append(',').append(jwt.serialize()).append('\n');
        }
        Files.writeString(tokens, csv);
        Files.setLastModifiedTime(tokens, FileTime.from(now));
    }

    // ---------------------------------------------------------------- servers

    record Server(String target, Process process, long pid, int port, String url, String kind, String nodeStats) {
    }

    static Server start(String target, Path dir, List<String> extraJvm) throws Exception {
        return start(target, dir, extraJvm, null);
    }

    /** The same; with {@code gridOptions} (--clustermode …) Payara Micro's data grid is on instead of --nohazelcast. */
    static Server start(String target, Path dir, List<String> extraJvm, List<String> gridOptions) throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        int port = freePort();
        Process process;
        String url;
        String kind = target.startsWith("agentwire") ? "agentwire" : "echo";
        String nodeStats = "";
        if (target.equals("node")) {
            process = new ProcessBuilder("node", "--expose-gc", BENCH.resolve("node/echo-server.js").toString(),
                    Integer.toString(port)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile()).start();
            url = "ws://127.0.0.1:" + port + "/ws/echo";
            nodeStats = "http://127.0.0.1:" + port + "/stats";
        } else {
            boolean agentwire = kind.equals("agentwire");
            boolean tuned = target.endsWith("-tuned");
            Path preBoot = dir.resolve("pre-boot.asadmin");
            var commands = new StringBuilder(Files.readString(BENCH.resolve("config/loopback.asadmin")));
            if (agentwire) { // the product's own platform configuration
                commands.append("\n").append(Files.readString(ROOT.resolve("server-config/pre-boot-commands.asadmin")));
            }
            Files.writeString(preBoot, commands);
            List<String> cmd = new ArrayList<>(List.of(JAVA));
            cmd.addAll(PAYARA_JVM);
            cmd.addAll(extraJvm);
            if (agentwire) {
                cmd.addAll(List.of(
                        "-Dmp.jwt.verify.publickey.location=" + WORK.resolve("keys/verification.jwks.json"),
                        "-Dmp.jwt.verify.issuer=" + ISSUER,
                        "-Dagentwire.dev-issuer.enabled=false",
                        "-Dagentwire.connections.max=20000",
                        "-Dagentwire.data-dir=" + dir.resolve("data")));
            }
            String war = agentwire ? warFor(target) : DIST.resolve("baseline.war").toString();
            cmd.addAll(List.of("-jar", DIST.resolve("payara-micro.jar").toString()));
            cmd.addAll(gridOptions == null ? List.of("--nohazelcast") : gridOptions);
            cmd.addAll(List.of("--port", Integer.toString(port), "--prebootcommandfile", preBoot.toString()));
            Path postBoot = dir.resolve("post-boot.asadmin");
            var post = new StringBuilder();
            if (agentwire) {
                post.append(Files.readString(ROOT.resolve("server-config/post-boot-commands.asadmin"))).append("\n");
            }
            if (tuned) {
                post.append(Files.readString(BENCH.resolve("config/tuned-post-boot.asadmin")));
            }
            Files.writeString(postBoot, post);
            cmd.addAll(List.of("--postbootcommandfile", postBoot.toString()));
            cmd.addAll(List.of("--deploy", war, "--contextroot", "/"));
            Files.writeString(dir.resolve("command.txt"), String.join(" ", cmd) + "\n");
            process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("server.log").toFile()).start();
            url = "ws://127.0.0.1:" + port + (agentwire ? "/ws/chat" : "/ws/echo");
        }
        STARTED.add(process);
        var server = new Server(target, process, process.pid(), port, url, kind, nodeStats);
        awaitReady(server, dir);
        log("bench: " + target + " up (pid " + server.pid() + ", port " + port + ")");
        return server;
    }

    /** agentwire.war, or for agentwire-tuned the WAR with the proposed code change ({@link #buildPatchedWar}). */
    static String warFor(String target) {
        return DIST.resolve(target.endsWith("-tuned") ? "agentwire-tuned.war" : "agentwire.war").toString();
    }

    /**
     * agentwire with the code change the proposed setting needs (docs/benchmarks.md
     * describes it): ConnectionHub's sweeper no longer uses the default managed scheduled executor,
     * which the setting disables, but one the application defines itself. Built from a copy of
     * ../src/main and ../pom.xml under target/bench/patched; the product tree is not touched.
     */
    static void buildPatchedWar() throws Exception {
        Path patched = WORK.resolve("patched");
        deleteTree(patched);
        Files.createDirectories(patched);
        Files.copy(ROOT.resolve("pom.xml"), patched.resolve("pom.xml"));
        try (Stream<Path> files = Files.walk(ROOT.resolve("src/main"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path to = patched.resolve(ROOT.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Path hub = patched.resolve("src/main/java/dev/agentwire/connections/control/ConnectionHub.java");
        String code = Files.readString(hub);
        String field = "    @Resource\n    ManagedScheduledExecutorService scheduler;";
        if (!code.contains(field) || !code.contains("\npublic class ConnectionHub")) {
            throw new IllegalStateException("ConnectionHub changed: the agentwire-tuned patch no longer applies");
        }
        code = code.replace(field, "    @Resource(lookup = \"java:app/concurrent/agentwire-scheduler\")\n    ManagedScheduledExecutorService scheduler;")
                .replace("\npublic class ConnectionHub", "\n@jakarta.enterprise.concurrent.ManagedScheduledExecutorDefinition("
                        + "name = \"java:app/concurrent/agentwire-scheduler\")\npublic class ConnectionHub");
        Files.writeString(hub, code);
        exec(patched, List.of(MAVEN, "-q", "-o", "package", "-Dmaven.test.skip=true"), WORK.resolve("patched-build.log"));
        Files.copy(patched.resolve("target/agentwire.war"), DIST.resolve("agentwire-tuned.war"), StandardCopyOption.REPLACE_EXISTING);
    }

    static void awaitReady(Server server, Path dir) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.process().isAlive()) {
                throw new IllegalStateException(server.target() + " exited; see " + dir.resolve("server.log"));
            }
            try {
                if (server.kind().equals("agentwire")) {
                    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/ready"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } else {
                    CompletableFuture<WebSocket> ws = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                            .buildAsync(URI.create(server.url()), new WebSocket.Listener() { });
                    ws.get(10, TimeUnit.SECONDS).sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
                    return;
                }
            } catch (Exception notYet) {
                // not up yet
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException(server.target() + " did not become ready; see " + dir.resolve("server.log"));
    }

    static void stop(Server server) {
        stop(server.process());
    }

    static void stop(Process process) {
        if (!process.isAlive()) {
            STARTED.remove(process);
            return;
        }
        process.destroy(); // SIGTERM: Payara Micro and node shut down
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        STARTED.remove(process);
    }

    static void stopAll() {
        for (Process p : List.copyOf(STARTED)) {
            stop(p);
        }
    }

    static int freePort() throws IOException {
        for (int port = 9181; port < 9299; port++) {
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                s.setReuseAddress(true);
                return port;
            } catch (IOException busy) {
                // next
            }
        }
        throw new IOException("no free port in 9181-9299");
    }

    // ---------------------------------------------------------------- scenarios

    static void runTarget(int run, String target, Path dir) throws Exception {
        Server server = start(target, dir.resolve("server"), List.of());
        try {
            warmUp(server, dir.resolve("warmup"));
            for (String scenario : SCENARIOS) {
                if (target.endsWith("-tuned") && scenario.equals("capacity")) {
                    continue; // the setting changes the per-frame path, not what an idle connection holds
                }
                String simulation = Character.toUpperCase(scenario.charAt(0)) + scenario.substring(1) + "Simulation";
                settle(server);
                simulate(server, simulation, dir, scenario, Map.of());
            }
        } finally {
            stop(server);
        }
    }

    /**
     * Brings a fresh server to its steady state before anything is recorded: handshakes for
     * {@code bench.warmup.handshake-seconds}, then 100 users sending {@code bench.warmup.messages}
     * chats each (100 keep every user well under agentwire's per-user frame rate), the same for
     * every target. agentwire's paths (Weld, EJB, JTA, EclipseLink, H2)
     * take the JIT tens of thousands of messages to compile: on a fresh server its CPU per message
     * fell from about 15 ms over the first 2,000 messages to about 2 ms after 30,000, with the
     * compiler threads a third of the server's CPU in between (docs/benchmarks.md).
     */
    static void warmUp(Server server, Path dir) throws Exception {
        simulate(server, "HandshakeSimulation", dir, "warmup-handshake", Map.of(
                "bench.handshake.seconds", QUICK ? "3" : Integer.toString(WARMUP_HANDSHAKE_SECONDS),
                "bench.handshake.users", "20"));
        simulate(server, "ChatSimulation", dir, "warmup-chat", Map.of(
                "bench.chat.users", "100", "bench.chat.messages", QUICK ? "5" : Integer.toString(WARMUP_MESSAGES)));
        settle(server);
    }

    /**
     * Waits until the server is idle (under 5% of a core for 2 s; at most 2 minutes), so that the
     * background work a scenario leaves behind is not counted in the next one: after the chats,
     * H2 writes and compacts its file for a while (seen as 16% of the samples of a handshake
     * recording that followed a chat one).
     */
    static void settle(Server server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        long before = Probe.cpuMillis(server.pid());
        while (System.nanoTime() < deadline) {
            Thread.sleep(2_000);
            long now = Probe.cpuMillis(server.pid());
            if (before < 0 || now < 0 || now - before < 100) {
                return;
            }
            before = now;
        }
        log("bench: " + server.target() + " still busy after 2 minutes; going on");
    }

    /** Runs one simulation through the Gatling Maven plugin; its figures land in dir/name.properties. */
    static Process simulateAsync(Server server, String simulation, Path dir, String name, Map<String, String> props)
            throws IOException {
        Files.createDirectories(dir);
        List<String> cmd = new ArrayList<>(List.of(MAVEN, "-q", "-f", BENCH.resolve("pom.xml").toString(), "gatling:test",
                "-Dgatling.simulationClass=dev.agentwire.bench." + simulation,
                "-Dgatling.resultsFolder=" + dir.resolve("gatling-" + name),
                "-Dbench.url=" + server.url(), "-Dbench.kind=" + server.kind(),
                "-Dbench.tokens=" + WORK.resolve("tokens.csv"), "-Dbench.pid=" + server.pid(),
                "-Dbench.nodeStats=" + server.nodeStats(), "-Dbench.quick=" + QUICK,
                "-Dbench.out=" + dir.resolve(name + ".properties")));
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        for (String key : System.getProperties().stringPropertyNames()) { // -Dbench.chat.users=... and friends
            if (key.matches("bench\\.(handshake|chat|capacity|resume|crowd|stream|soak|cluster)\\..*") && !props.containsKey(key)) {
                cmd.add("-D" + key + "=" + System.getProperty(key));
            }
        }
        log("bench: " + server.target() + " " + name);
        Process p = new ProcessBuilder(cmd).directory(BENCH.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start();
        STARTED.add(p);
        return p;
    }

    static Properties simulate(Server server, String simulation, Path dir, String name, Map<String, String> props)
            throws Exception {
        Process p = simulateAsync(server, simulation, dir, name, props);
        if (!p.waitFor(20, TimeUnit.MINUTES)) {
            stop(p);
        }
        STARTED.remove(p);
        if (!server.process().isAlive()) {
            throw new IllegalStateException(server.target() + " died during " + name);
        }
        return figures(dir, name);
    }

    /** The figures a simulation wrote ({@code dir/name.properties}); none when it wrote none. */
    static Properties figures(Path dir, String name) throws IOException {
        var figures = new Properties();
        Path out = dir.resolve(name + ".properties");
        if (Files.exists(out)) {
            try (var in = Files.newBufferedReader(out)) {
                figures.load(in);
            }
        } else {
            log("bench: " + name + " wrote no figures; see " + dir.resolve(name + ".log"));
        }
        return figures;
    }

    // ---------------------------------------------------------------- helpers

    static void exec(Path dir, List<String> cmd, Path log) throws IOException, InterruptedException {
        var pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        if (log == null) {
            pb.inheritIO();
        } else {
            pb.redirectOutput(log.toFile());
        }
        Process p = pb.start();
        STARTED.add(p);
        int rc = p.waitFor();
        STARTED.remove(p);
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + rc);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void log(String message) {
        System.out.println(DateTimeFormatter.ISO_LOCAL_TIME.format(java.time.LocalTime.now()) + " " + message);
    }
}

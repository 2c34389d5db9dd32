package dev.agentwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The JFR pass: the server runs the chat scenario, then the handshake scenario, each under its own
 * JFR recording (settings=profile); one thread dump is taken in the middle of the chat. The
 * execution samples of each are summarised into the share of CPU samples in named paths (a sample
 * counts for every path any of its frames is in), the hottest methods (top frame) and, for
 * agentwire, its own methods by inclusive share, written to bench/results/profile-TARGET.txt.
 */
final class Profiler {

    /** Path name -> a frame (class.method prefix) that identifies it. */
    static final Map<String, List<String>> PATHS = new LinkedHashMap<>();

    static {
        PATHS.put("Tyrus idle-timeout reschedule (TyrusSession.restartIdleTimeoutExecutor)",
                List.of("org.glassfish.tyrus.core.TyrusSession.restartIdleTimeoutExecutor"));
        PATHS.put("context capture on a managed executor (ContextSetupProviderImpl.saveContext)",
                List.of("org.glassfish.concurrent.runtime.ContextSetupProviderImpl.saveContext"));
        PATHS.put("ServiceLoader scan (java.util.ServiceLoader)", List.of("java.util.ServiceLoader"));
        PATHS.put("Tyrus send (TyrusRemoteEndpoint)", List.of("org.glassfish.tyrus.core.TyrusRemoteEndpoint"));
        PATHS.put("UTF-8 encoding of frames (Tyrus StrictUtf8, sun.nio.cs.UTF_8)",
                List.of("org.glassfish.tyrus.core.StrictUtf8", "sun.nio.cs.UTF_8$Encoder"));
        PATHS.put("JSON (jakarta.json / parsson / yasson)", List.of("org.eclipse.parsson", "org.eclipse.yasson", "jakarta.json"));
        PATHS.put("token verification (nimbus-jose-jwt)", List.of("com.nimbusds"));
        PATHS.put("CDI proxies and interceptors (Weld)", List.of("org.jboss.weld"));
        PATHS.put("EJB container", List.of("com.sun.ejb"));
        PATHS.put("agentwire code (dev.agentwire)", List.of("dev.agentwire.chat", "dev.agentwire.connections",
                "dev.agentwire.auth", "dev.agentwire.agents", "dev.agentwire.protocol", "dev.agentwire.operations",
                "dev.agentwire.threads"));
        PATHS.put("database: JDBC, H2, Payara's connection pool", List.of("org.h2", "com.sun.gjc",
                "com.sun.enterprise.resource", "java.sql", "javax.sql"));
        PATHS.put("JTA transactions", List.of("com.sun.enterprise.transaction", "com.sun.jts"));
        PATHS.put("java.util.logging", List.of("java.util.logging"));
        PATHS.put("Grizzly I/O", List.of("org.glassfish.grizzly"));
    }

    private Profiler() {
    }

    static String profile(String target, Path dir) throws Exception {
        Bench.Server server = Bench.start(target, dir.resolve("server"), List.of());
        Path jfr = dir.resolve("chat.jfr").toAbsolutePath();
        Path handshakeJfr = dir.resolve("handshake.jfr").toAbsolutePath();
        try {
            Bench.warmUp(server, dir);
            Probe_jcmd(server, "JFR.start", "name=bench", "settings=profile");
            Process sim = Bench.simulateAsync(server, "ChatSimulation", dir, "chat", Map.of("bench.chat.messages", "100"));
            Thread.sleep(12_000); // Gatling's JVM start + connects; then the chats are in full flow
            Files.writeString(dir.resolve("threads.txt"), Probe_jcmd(server, "Thread.print"));
            sim.waitFor(15, TimeUnit.MINUTES);
            Probe_jcmd(server, "JFR.dump", "name=bench", "filename=" + jfr);
            Probe_jcmd(server, "JFR.stop", "name=bench");
            Bench.settle(server);
            Probe_jcmd(server, "JFR.start", "name=handshake", "settings=profile");
            Bench.simulate(server, "HandshakeSimulation", dir, "handshake", Map.of("bench.handshake.seconds", "15"));
            Probe_jcmd(server, "JFR.dump", "name=handshake", "filename=" + handshakeJfr);
            Probe_jcmd(server, "JFR.stop", "name=handshake");
        } finally {
            Bench.stop(server);
        }
        String summary = summarise(target, dir);
        Files.createDirectories(Bench.RESULTS);
        Files.writeString(Bench.RESULTS.resolve("profile-" + target + ".txt"), summary);
        return summary;
    }

    static String Probe_jcmd(Bench.Server server, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Probe.JCMD, Long.toString(server.pid())));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(120, TimeUnit.SECONDS);
        return out;
    }

    /** The summary of the recordings in {@code dir}: chat.jfr with threads.txt, and handshake.jfr when present. */
    static String summarise(String target, Path dir) throws IOException {
        String summary = summarise(target, "chat", dir.resolve("chat.jfr"), dir.resolve("threads.txt"));
        Path handshake = dir.resolve("handshake.jfr");
        return Files.exists(handshake) ? summary + "\n" + summarise(target, "handshake", handshake, dir.resolve("none")) : summary;
    }

    static String summarise(String target, String scenario, Path jfr, Path threads) throws IOException {
        Map<String, Integer> inPath = new LinkedHashMap<>();
        PATHS.keySet().forEach(k -> inPath.put(k, 0));
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> own = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (!frames.isEmpty()) {
                top.merge(name(frames.get(0)), 1, Integer::sum);
            }
            Set<String> hit = new HashSet<>();
            Set<String> ownHit = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (n.startsWith("dev.agentwire.") && !n.contains("$Proxy$") && !n.contains("$$") && ownHit.add(n)) {
                    own.merge(n, 1, Integer::sum);
                }
                PATHS.forEach((path, prefixes) -> {
                    for (String prefix : prefixes) {
                        if (n.startsWith(prefix)) {
                            hit.add(path);
                        }
                    }
                });
            }
            hit.forEach(h -> inPath.merge(h, 1, Integer::sum));
        }
        var out = new StringBuilder();
        out.append("JFR profile of ").append(target).append(" under the ").append(scenario).append(" scenario (")
                .append(samples).append(" execution samples, settings=profile)\n\n");
        out.append("share of CPU samples with a frame in:\n");
        final int total = Math.max(1, samples);
        inPath.forEach((path, n) -> out.append(String.format("  %5.1f%%  %s%n", 100.0 * n / total, path)));
        out.append("\nhottest methods (top frame):\n");
        top.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                .forEach(en -> out.append(String.format("  %5.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey())));
        if (!own.isEmpty()) {
            out.append("\nagentwire methods, share of samples with the method on the stack:\n");
            own.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(15)
                    .forEach(en -> out.append(String.format("  %5.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey())));
        }
        if (Files.exists(threads)) {
            String dump = Files.readString(threads);
            String[] stacks = dump.split("\n\n");
            int workers = 0;
            int inScan = 0;
            int inRestart = 0;
            int tyrusPool = 0;
            for (String s : stacks) {
                if (s.contains("\"http-thread-pool")) {
                    boolean busy = s.contains("org.glassfish.tyrus") || s.contains("dev.agentwire");
                    if (busy) {
                        workers++;
                        inScan += s.contains("java.util.ServiceLoader") ? 1 : 0;
                        inRestart += s.contains("restartIdleTimeoutExecutor") ? 1 : 0;
                    }
                }
                tyrusPool += s.startsWith("\"tyrus-") ? 1 : 0;
            }
            out.append(String.format("%nthread dump in mid-run: %d HTTP worker threads inside Tyrus/agentwire; "
                    + "%d of them in a ServiceLoader scan, %d in restartIdleTimeoutExecutor; "
                    + "%d threads of Tyrus' own scheduler (tyrus-N-thread-M)%n", workers, inScan, inRestart, tyrusPool));
        }
        return out.toString();
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}

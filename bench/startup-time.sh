#!/usr/bin/env bash
# Start-up time of agentwire on Payara Micro. Starts the server RUNS times (default 3) per WAR,
# each time in a fresh working directory (a fresh ./data: the H2 file is created, Flyway migrates,
# the development issuer generates its RSA key), and measures
#   - ready: wall time from the `java` command to the first `GET /health/ready` that answers 200
#     with "status":"UP" (polled every 100 ms: every poll during the deployment costs the server a
#     little, and until the EJB container is up the health service logs a stack trace for it);
#   - cpu: the server's user + system CPU time at that moment (/proc/PID/stat), which a busy
#     machine disturbs much less than the wall time;
#   - deploy: Payara's own "was successfully deployed in N milliseconds" from the log.
# With several WARs the runs are interleaved (A B A B ...), so that the load of a shared machine
# falls on all of them alike. Prints every run and the medians.
#
#   bench/startup-time.sh                                  # 3 runs of target/agentwire.war
#   RUNS=5 WARS="before.war target/agentwire.war" bench/startup-time.sh
#   JFR=1 RUNS=1 bench/startup-time.sh                     # and a JFR recording: bench/target/startup/<war>-1/start.jfr
#
# Run from the repository root after `mvn package`. Uses the product's own server-config/ files,
# like `mvn -Prun`. Every server it starts is stopped (SIGTERM, then SIGKILL after 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
WARS=${WARS:-target/agentwire.war}
JAR=$(realpath "${JAR:-target/payara-micro.jar}")
PORT=${PORT:-9301}
OUT=bench/target/startup
JVM=${JVM:--Xmx1g}
TICKS=$(getconf CLK_TCK)
mkdir -p "$OUT"
pid=
cleanup() {
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    pid=
}
trap cleanup EXIT

ready() {
    local body
    body=$(curl -s -m 2 -w '\n%{http_code}' "http://127.0.0.1:$PORT/health/ready" 2>/dev/null) || return 1
    [[ "${body##*$'\n'}" == 200 ]] && grep -q '"status":"UP"' <<<"$body"
}

cpu_ms() { # utime + stime (fields 14 and 15 of /proc/PID/stat) in ms
    awk -v t="$TICKS" '{sub(/.*\) /, ""); print int(($12 + $13) * 1000 / t)}' "/proc/$1/stat"
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "start-up: $RUNS runs of each of $WARS; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, $(java -version 2>&1 | head -1)"
declare -A times cpus deploys
for run in $(seq 1 "$RUNS"); do
    for war in $WARS; do
        name=$(basename "$war" .war)
        war=$(realpath "$war")
        dir=$OUT/$name-$run
        rm -rf "$dir" && mkdir -p "$dir"
        jfr=()
        if [[ -n "${JFR:-}" ]]; then
            jfr=("-XX:StartFlightRecording=filename=$PWD/$dir/start.jfr,settings=profile")
        fi
        t0=$(date +%s%N)
        (cd "$dir" && exec java $JVM "${jfr[@]}" -jar "$JAR" --nohazelcast --port "$PORT" \
            --prebootcommandfile "$OLDPWD/server-config/pre-boot-commands.asadmin" \
            --postbootcommandfile "$OLDPWD/server-config/post-boot-commands.asadmin" \
            --deploy "$war" --contextroot / >server.log 2>&1) &
        pid=$!
        until ready; do
            kill -0 "$pid" 2>/dev/null || { echo "$name run $run: the server exited; see $dir/server.log"; exit 1; }
            if (( ($(date +%s%N) - t0) / 1000000 > 180000 )); then echo "$name run $run: not ready after 180 s; see $dir/server.log"; exit 1; fi
            sleep 0.1
        done
        ms=$(( ($(date +%s%N) - t0) / 1000000 ))
        cpu=$(cpu_ms "$pid")
        if [[ -n "${JFR:-}" ]]; then
            jcmd "$pid" JFR.dump filename="$PWD/$dir/start.jfr" >/dev/null
        fi
        deployed=$(grep -o 'successfully deployed in [0-9,]* milliseconds' "$dir/server.log" | head -1 | tr -dc 0-9 || true)
        times[$name]+="$ms "
        cpus[$name]+="$cpu "
        deploys[$name]+="${deployed:-0} "
        echo "$name run $run: ready after $ms ms, server CPU $cpu ms, Payara deploying the WAR ${deployed:-?} ms (load $(cut -d' ' -f1 /proc/loadavg))"
        cleanup
    done
done
for war in $WARS; do
    name=$(basename "$war" .war)
    # shellcheck disable=SC2086
    echo "median of $name: ready after $(median ${times[$name]}) ms, server CPU $(median ${cpus[$name]}) ms, deploying $(median ${deploys[$name]}) ms (runs: ${times[$name]}/ ${cpus[$name]}/ ${deploys[$name]})"
done

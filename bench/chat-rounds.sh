#!/bin/bash
# Rounds of the chat scenario against a server that is already running, one line per round: how
# its CPU per message settles while the JIT compiles (docs/benchmarks.md, "Warm-up").
#
#   bench/chat-rounds.sh PID [rounds] [chats per user]
#
# PID is the server's process; it listens on ws://127.0.0.1:${PORT:-9181}/ws/chat (KIND=baseline
# and PORT for the echo server). Needs the tokens of a bench run (bench/target/bench/tokens.csv).
set -euo pipefail
pid=$1
rounds=${2:-10}
messages=${3:-40}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/target/bench/rounds
mkdir -p "$out"

jit() { # compiled methods and seconds spent compiling, so far
    jstat -compiler "$pid" | awk 'NR == 2 { print $1, $4 }'
}

printf '%5s %8s %12s %12s %12s\n' round chats 'cpu us/chat' 'jit methods' 'jit seconds'
for round in $(seq 1 "$rounds"); do
    read -r methods0 seconds0 < <(jit)
    mvn -q -f "$root/bench/pom.xml" test-compile gatling:test \
        -Dgatling.simulationClass=dev.agentwire.bench.ChatSimulation -Dgatling.resultsFolder="$out/gatling" \
        -Dbench.url="ws://127.0.0.1:${PORT:-9181}/ws/${ENDPOINT:-chat}" -Dbench.kind="${KIND:-agentwire}" \
        -Dbench.tokens="$root/bench/target/bench/tokens.csv" -Dbench.pid="$pid" -Dbench.nodeStats= \
        -Dbench.out="$out/round-$round.properties" -Dbench.chat.messages="$messages" > "$out/round-$round.log" 2>&1
    read -r methods1 seconds1 < <(jit)
    props=$out/round-$round.properties
    printf '%5d %8s %12s %12d %12.1f\n' "$round" "$(sed -n 's/^ok=//p' "$props")" \
        "$(sed -n 's/^cpu_us_per_message=//p' "$props")" $((methods1 - methods0)) \
        "$(echo "$seconds1 - $seconds0" | bc)"
done

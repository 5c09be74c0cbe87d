# shellcheck shell=bash
# A minimal process supervisor for scripts/start.sh.
#
#   source scripts/lib/supervise.sh
#   mp_supervise NAME COMMAND [ARGS...] &    # runs COMMAND, restarts it whenever it exits
#
# Each restart waits longer: MP_SUPERVISE_MIN_DELAY_MS (1000), doubling up to MP_SUPERVISE_MAX_DELAY_MS
# (30000); a run that lasted MP_SUPERVISE_STABLE_MS (60000) or more starts the back-off afresh, so
# an app that crashes once a day restarts at once and one that crashes at start-up does not spin.
# The command's output gets "[NAME] " in front of each line; the supervisor's own lines
# ("[start] NAME exited with code N; restarting in Ns") go to stderr unprefixed.
# SIGTERM (or SIGINT) stops the command (SIGTERM, then waits for it) and ends the supervisor. A command
# that ends with code 130 (SIGINT: Ctrl-C reaches every process of the terminal's foreground group,
# and a supervisor in the background cannot trap it) also ends the supervisor: it was asked to stop.

if [[ -n "${MP_LIB_SUPERVISE_LOADED:-}" ]]; then return 0; fi
MP_LIB_SUPERVISE_LOADED=1

# Milliseconds as seconds for humans and for sleep: 1000 -> 1, 250 -> 0.25.
mp__ms_to_s() {
  local ms="$1" frac
  if (( ms % 1000 == 0 )); then
    echo "$(( ms / 1000 ))"
  else
    printf -v frac '%03d' "$(( ms % 1000 ))"
    frac="${frac%%0}"; frac="${frac%%0}"
    echo "$(( ms / 1000 )).$frac"
  fi
}

mp_supervise() {
  local name="$1"; shift
  local min="${MP_SUPERVISE_MIN_DELAY_MS:-1000}" max="${MP_SUPERVISE_MAX_DELAY_MS:-30000}" stable="${MP_SUPERVISE_STABLE_MS:-60000}"
  local delay="$min" child="" stopping="" code started ran
  # The trap only records the wish and passes it on; the loop below notices and returns.
  trap 'stopping=1; if [[ -n "$child" ]]; then kill -TERM "$child" 2>/dev/null || true; fi' TERM INT
  while true; do
    started="$(date +%s%3N)"
    "$@" > >(sed -u "s/^/[$name] /") 2>&1 &
    child=$!
    code=0
    wait "$child" || code=$?
    # A trapped signal interrupts `wait` (status > 128) while the child may still be stopping.
    while [[ -n "$stopping" ]] && kill -0 "$child" 2>/dev/null; do
      wait "$child" 2>/dev/null || true
    done
    if [[ -n "$stopping" || "$code" == 130 ]]; then return 0; fi
    ran=$(( $(date +%s%3N) - started ))
    if (( ran >= stable )); then delay="$min"; fi
    echo "[start] $name exited with code $code; restarting in $(mp__ms_to_s "$delay")s" >&2
    child=""
    # In the background so that a TERM during the back-off is handled at once.
    sleep "$(mp__ms_to_s "$delay")" &
    child=$!
    wait "$child" 2>/dev/null || true
    child=""
    if [[ -n "$stopping" ]]; then return 0; fi
    delay=$(( delay * 2 ))
    if (( delay > max )); then delay="$max"; fi
  done
}

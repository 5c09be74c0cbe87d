# shellcheck shell=bash
# The message bus of `npm start`: a nats-server of its own (NATS_URL, default 127.0.0.1:4223; never
# the machine's open 4222) with one user per app and subject permissions generated from the bus
# catalog (libs/contracts/src/bus/bus-catalog.ts) into .run/nats/nats-server.conf (mode 600,
# bcrypt-hashed passwords). Needs the build (the generator is dist/libs/common/src/bus/nats-server-config.cli.js).
#
#   mp_start_bus REPO   (re)starts it in the background; its pid in MP_BUS_PID (empty when NATS_URL is remote)
#   mp_app_env APP      in the subshell that runs APP: its own bus user, password and signing key only

mp_start_bus() {
  local repo="$1" dir="$1/.run/nats" bin host port addr pidfile deadline
  MP_BUS_PID=""
  mp__parse_url "$NATS_URL" 4222 || return 1
  host="$MP_URL_HOST" port="$MP_URL_PORT"
  if ! mp__is_local "$host"; then
    mp__svc_log "nats: $NATS_URL is not on this machine: used as it is (configure it with: node dist/libs/common/src/bus/nats-server-config.cli.js --out FILE)"
    return 0
  fi
  bin="${NATS_SERVER_BIN:-$(mp__nats_bin)}" || bin=""
  if [[ -z "$bin" ]]; then
    MP_APT_TAG=services mp_apt_install nats-server || return 1
    hash -r
    bin="$(mp__nats_bin)" || { mp__svc_err "nats: nats-server not found"; return 1; }
  fi
  addr=127.0.0.1
  if [[ "$host" == ::1 ]]; then addr=::1; fi
  (umask 077 && mkdir -p "$dir")
  pidfile="$dir/nats-server.pid"
  # One a previous start left running (killed without its cleanup): its users may be stale.
  if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
  fi
  if mp__probe nats "$host" "$port" || [[ -n "$MP_PROBE_CONNECTED" ]]; then
    mp__svc_err "nats: something else already listens on $(mp__hp "$host" "$port"); stop it or set NATS_URL to a free local port"
    return 1
  fi
  node "$repo/dist/libs/common/src/bus/nats-server-config.cli.js" --out "$dir/nats-server.conf" --listen "$(mp__hp "$addr" "$port")" --store "$dir/jetstream" >/dev/null || return 1
  "$bin" -c "$dir/nats-server.conf" -P "$pidfile" -l "$dir/nats-server.log" &
  MP_BUS_PID=$!
  deadline=$((SECONDS + ${MP_SERVICES_TIMEOUT:-30}))
  until mp__probe nats "$host" "$port"; do
    if ! kill -0 "$MP_BUS_PID" 2>/dev/null || ((SECONDS >= deadline)); then
      mp__svc_err "nats: the bus did not start on $(mp__hp "$host" "$port") ($MP_PROBE_WHY); see $dir/nats-server.log"
      return 1
    fi
    sleep 0.2
  done
  mp__svc_log "nats: bus started on $(mp__hp "$host" "$port") with per-app users ($dir/nats-server.conf)"
}

mp_app_env() {
  local var pw key
  var="$(mp_bus_var "$1")"
  pw="NATS_PASSWORD_$var" key="BUS_SIGNING_KEY_$var"
  export NATS_USER="$1" NATS_PASSWORD="${!pw:-}"
  if [[ -n "${!key:-}" ]]; then export BUS_SIGNING_KEY="${!key}"; else unset BUS_SIGNING_KEY; fi
  # No app sees another's password or key.
  # shellcheck disable=SC2046
  unset $(compgen -v NATS_PASSWORD_) $(compgen -v BUS_SIGNING_KEY_)
}

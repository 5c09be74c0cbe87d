# shellcheck shell=bash
# Backing services for scripts/start.sh and scripts/test.sh: PostgreSQL and Redis, at the URLs the
# app is configured with. (NATS is the product's own authenticated bus, started after the build by
# scripts/lib/bus.sh; the tests start private ones.)
#
#   source scripts/lib/services.sh
#   mp_ensure_services                  # make both answer (found / docker / Debian package)
#   mp_ensure_database                  # role + database of DATABASE_URL exist
#   mp_ensure_database_named NAME       # another database owned by the same role
#
# Configuration (environment):
#   DATABASE_URL  default postgres://mailplane:mailplane@127.0.0.1:5432/mailplane
#   REDIS_URL     default redis://127.0.0.1:6379/0
#   MP_SERVICES_TIMEOUT  seconds to wait for a started service (default 30)
#   MP_NO_DOCKER=1       never use Docker, even when an engine answers
#
# For each service: (a) already answering -> use it; (b) local host and a Docker
# engine answers -> `docker compose up -d <service>`; (c) local host -> install the
# Debian package if needed and start the daemon directly (no systemd).
# Functions return non-zero on failure (never `exit`); safe under `set -euo pipefail`.

if [[ -n "${MP_LIB_SERVICES_LOADED:-}" ]]; then return 0; fi
MP_LIB_SERVICES_LOADED=1

MP_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
REPO="${REPO:-$MP_REPO}"

# shellcheck source=scripts/lib/apt.sh
source "$MP_REPO/scripts/lib/apt.sh"

MP_DEFAULT_DATABASE_URL="postgres://mailplane:mailplane@127.0.0.1:5432/mailplane"
MP_DEFAULT_REDIS_URL="redis://127.0.0.1:6379/0"

mp__svc_log() { echo "[services] $*"; }
mp__svc_err() { echo "[services] error: $*" >&2; }

# ---------------------------------------------------------------------------
# URL parsing

mp__url_decode() {
  local s="${1//\\/\\\\}"
  printf '%b' "${s//%/\\x}"
}

# mp__parse_url URL DEFAULT_PORT
# Sets MP_URL_USER MP_URL_PASS MP_URL_HAS_PASS MP_URL_HOST MP_URL_PORT MP_URL_PATH.
mp__parse_url() {
  local url="$1" default_port="$2"
  local rest authority auth="" hostport
  rest="$url"
  if [[ "$rest" == *://* ]]; then rest="${rest#*://}"; fi
  rest="${rest%%#*}"
  rest="${rest%%\?*}"
  authority="${rest%%/*}"
  if [[ "$rest" == */* ]]; then MP_URL_PATH="${rest#*/}"; else MP_URL_PATH=""; fi
  MP_URL_PATH="$(mp__url_decode "$MP_URL_PATH")"
  if [[ "$authority" == *@* ]]; then
    auth="${authority%@*}"
    hostport="${authority##*@}"
  else
    hostport="$authority"
  fi
  MP_URL_USER=""
  MP_URL_PASS=""
  MP_URL_HAS_PASS=""
  if [[ -n "$auth" ]]; then
    if [[ "$auth" == *:* ]]; then
      MP_URL_USER="$(mp__url_decode "${auth%%:*}")"
      MP_URL_PASS="$(mp__url_decode "${auth#*:}")"
      MP_URL_HAS_PASS=1
    else
      MP_URL_USER="$(mp__url_decode "$auth")"
    fi
  fi
  MP_URL_PORT=""
  if [[ "$hostport" == \[* ]]; then
    MP_URL_HOST="${hostport#\[}"
    MP_URL_HOST="${MP_URL_HOST%%\]*}"
    if [[ "$hostport" == *\]:* ]]; then MP_URL_PORT="${hostport##*\]:}"; fi
  else
    MP_URL_HOST="${hostport%%:*}"
    if [[ "$hostport" == *:* ]]; then MP_URL_PORT="${hostport#*:}"; fi
  fi
  if [[ -z "$MP_URL_HOST" ]]; then MP_URL_HOST="127.0.0.1"; fi
  if [[ -z "$MP_URL_PORT" ]]; then MP_URL_PORT="$default_port"; fi
  if ! [[ "$MP_URL_PORT" =~ ^[0-9]{1,5}$ ]] || ((10#$MP_URL_PORT < 1 || 10#$MP_URL_PORT > 65535)); then
    mp__svc_err "bad port '$MP_URL_PORT' in $url"
    return 1
  fi
  return 0
}

mp__is_local() {
  case "$1" in
    127.0.0.1 | localhost | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

# host:port, with brackets for IPv6
mp__hp() {
  if [[ "$1" == *:* ]]; then echo "[$1]:$2"; else echo "$1:$2"; fi
}

# ---------------------------------------------------------------------------
# Probes (bash /dev/tcp only). Return 0 when the service answers; otherwise set
# MP_PROBE_WHY to a short reason.

MP_PROBE_WHY=""
MP_PROBE_CONNECTED="" # 1 when something accepted the connection but did not answer as expected

# mp__probe SERVICE HOST PORT [REDIS_AUTH_COMMAND]
# shellcheck disable=SC2016 # the probe scripts expand their own arguments
mp__probe() {
  local svc="$1" host="$2" port="$3" extra="${4:-}"
  local out rc=0 script
  case "$svc" in
    postgres)
      script='exec 3<>"/dev/tcp/$1/$2" || exit 2'
      ;;
    redis)
      script='exec 3<>"/dev/tcp/$1/$2" || exit 2
        if [[ -n "$3" ]]; then
          printf "%s" "$3" >&3
          IFS= read -r -t 2 l <&3 || { echo "no reply to AUTH within 2s"; exit 3; }
          l="${l%$'"'"'\r'"'"'}"
          # a server without a password accepts any client: fine
          [[ "$l" == "+OK"* || "$l" == *"without any password configured"* ]] || { echo "AUTH answered: ${l:0:100}"; exit 3; }
        fi
        printf "PING\r\n" >&3
        IFS= read -r -t 2 l <&3 || { echo "no reply to PING within 2s"; exit 3; }
        l="${l%$'"'"'\r'"'"'}"
        [[ "$l" == "+PONG"* ]] || { echo "PING answered: ${l:0:100}"; exit 3; }'
      ;;
    nats)
      script='exec 3<>"/dev/tcp/$1/$2" || exit 2
        IFS= read -r -t 2 l <&3 || { echo "no INFO line within 2s"; exit 3; }
        [[ "$l" == INFO* ]] || { echo "unexpected greeting: ${l:0:100}"; exit 3; }
        [[ "$l" == *"\"jetstream\":true"* ]] || { echo "answers, but JetStream is not enabled (nats-server needs -js)"; exit 4; }'
      ;;
    *)
      MP_PROBE_WHY="unknown service $svc"
      return 1
      ;;
  esac
  MP_PROBE_CONNECTED=""
  out="$(timeout 3 bash -c "$script" _ "$host" "$port" "$extra" 2>&1)" || rc=$?
  if ((rc == 0)); then
    MP_PROBE_WHY=""
    return 0
  fi
  if ((rc == 3 || rc == 4)); then MP_PROBE_CONNECTED=1; fi
  if ((rc == 124)); then
    MP_PROBE_WHY="no answer within 3s"
  elif [[ "$out" == *"Connection refused"* ]]; then
    MP_PROBE_WHY="connection refused"
  elif [[ -n "$out" ]]; then
    MP_PROBE_WHY="$(printf '%s\n' "$out" | tail -n 1)"
    MP_PROBE_WHY="${MP_PROBE_WHY#bash: }"
  else
    MP_PROBE_WHY="not answering (exit $rc)"
  fi
  return 1
}

# RESP-encoded AUTH command for REDIS_URL credentials ("" when none).
# shellcheck disable=SC2016 # literal $ in RESP
mp__redis_auth_cmd() {
  local user="$1" pass="$2" has_pass="$3"
  if [[ -z "$has_pass" ]]; then return 0; fi
  local LC_ALL=C
  if [[ -n "$user" ]]; then
    printf '*3\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n' "${#user}" "$user" "${#pass}" "$pass"
  else
    printf '*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n' "${#pass}" "$pass"
  fi
}

# ---------------------------------------------------------------------------
# Docker

MP_DOCKER_STATE="" # "", yes, no
MP_COMPOSE_CMD=()
MP_COMPOSE_FILE=""

mp__docker_usable() {
  if [[ "$MP_DOCKER_STATE" == yes ]]; then return 0; fi
  if [[ "$MP_DOCKER_STATE" == no ]]; then return 1; fi
  MP_DOCKER_STATE=no
  if [[ -n "${MP_NO_DOCKER:-}" ]]; then return 1; fi
  command -v docker >/dev/null 2>&1 || return 1
  local f
  for f in docker-compose.yml docker-compose.yaml compose.yml compose.yaml; do
    if [[ -f "$MP_REPO/$f" ]]; then MP_COMPOSE_FILE="$MP_REPO/$f"; break; fi
  done
  [[ -n "$MP_COMPOSE_FILE" ]] || return 1
  timeout 5 docker info >/dev/null 2>&1 || return 1
  if timeout 10 docker compose version >/dev/null 2>&1; then
    MP_COMPOSE_CMD=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1 && timeout 10 docker-compose version >/dev/null 2>&1; then
    MP_COMPOSE_CMD=(docker-compose)
  else
    mp__svc_log "a Docker engine answers, but neither 'docker compose' nor 'docker-compose' is available; not using Docker"
    return 1
  fi
  MP_DOCKER_STATE=yes
  return 0
}

# Run compose on the repo's file. Compose interpolates the whole file, and the app
# services require JWT_SECRET and MAILPLANE_SECRET_KEY: placeholders are supplied
# when unset (postgres, redis and nats don't use them).
mp__compose() {
  JWT_SECRET="${JWT_SECRET:-unused-by-data-services}" \
    MAILPLANE_SECRET_KEY="${MAILPLANE_SECRET_KEY:-unused-by-data-services}" \
    "${MP_COMPOSE_CMD[@]}" -f "$MP_COMPOSE_FILE" --project-directory "$MP_REPO" "$@"
}

# mp__compose_up SVC=HOST=PORT... ; returns non-zero (with output shown) on failure.
# The compose file's postgres/redis/nats publish no ports, so an override file
# publishes each on the configured host address and port.
mp__compose_up() {
  local spec svc h p target override out rc=0
  local -a svcs=() args=()
  override="$(mktemp "${TMPDIR:-/tmp}/mailplane-compose.XXXXXX")" || return 1
  {
    echo "# generated by scripts/lib/services.sh"
    echo "services:"
    for spec in "$@"; do
      svc="${spec%%=*}" h="${spec#*=}" p="${h##*=}" h="${h%=*}"
      if [[ "$h" == localhost ]]; then h=127.0.0.1; fi
      case "$svc" in postgres) target=5432 ;; redis) target=6379 ;; nats) target=4222 ;; *) continue ;; esac
      svcs+=("$svc")
      printf '  %s:\n    ports:\n      - target: %s\n        published: "%s"\n        host_ip: "%s"\n        protocol: tcp\n' \
        "$svc" "$target" "$p" "$h"
    done
  } >"$override"
  args=(-f "$override" up -d)
  # Wait for the healthchecks when compose can (a published port accepts connections
  # through docker-proxy before the server inside is ready).
  if "${MP_COMPOSE_CMD[@]}" up --help 2>/dev/null | grep -q -- '--wait'; then
    args+=(--wait)
    if "${MP_COMPOSE_CMD[@]}" up --help 2>/dev/null | grep -q -- '--wait-timeout'; then
      args+=(--wait-timeout "${MP_DOCKER_WAIT_TIMEOUT:-180}")
    fi
  fi
  mp__svc_log "docker compose up -d ${svcs[*]}"
  out="$(mp__compose "${args[@]}" "${svcs[@]}" 2>&1)" || rc=$?
  rm -f "$override"
  if ((rc != 0)); then
    printf '%s\n' "$out" | tail -n 20 >&2
    mp__svc_err "docker compose up -d ${svcs[*]} failed (exit $rc)"
  fi
  return "$rc"
}

# ---------------------------------------------------------------------------
# Starting services from Debian packages (no systemd)

mp__pg_installed() {
  command -v pg_ctlcluster >/dev/null 2>&1 && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null
}
mp__redis_bin() {
  if [[ -x /usr/bin/redis-server ]]; then echo /usr/bin/redis-server; else command -v redis-server 2>/dev/null; fi
}
mp__nats_bin() {
  if [[ -x /usr/sbin/nats-server ]]; then echo /usr/sbin/nats-server; else command -v nats-server 2>/dev/null; fi
}

# Sets MP_PG_LOG to the log of the cluster it starts.
mp__start_postgres() {
  local port="$1" line ver name status out rc=0
  MP_PG_LOG=""
  line="$(pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p { print $1, $2, $4; exit }')" || line=""
  if [[ -z "$line" ]]; then
    # shellcheck disable=SC2012 # version directory names
    ver="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)" || ver=""
    if [[ -z "$ver" ]]; then
      mp__svc_err "postgres: no PostgreSQL server version found in /usr/lib/postgresql"
      return 1
    fi
    if [[ -e "/etc/postgresql/$ver/main" ]]; then
      mp__svc_err "postgres: no PostgreSQL cluster is configured for port $port (cluster $ver/main uses another port);" \
        "create one with: pg_createcluster -p $port $ver <name>, or set DATABASE_URL to the port of an existing cluster (pg_lsclusters)"
      return 1
    fi
    mp__svc_log "postgres: creating cluster $ver/main on port $port"
    out="$(pg_createcluster -p "$port" "$ver" main 2>&1)" || rc=$?
    if ((rc != 0)); then
      printf '%s\n' "$out" | tail -n 20 >&2
      mp__svc_err "postgres: pg_createcluster -p $port $ver main failed (exit $rc)"
      return 1
    fi
    status=down
    name=main
  else
    read -r ver name status <<<"$line"
  fi
  MP_PG_LOG="/var/log/postgresql/postgresql-$ver-$name.log"
  if [[ "$status" == online* ]]; then
    mp__svc_log "postgres: cluster $ver/$name (port $port) is already running"
    MP_PG_LOG="$MP_PG_LOG; it runs but does not answer on the configured address: check listen_addresses in /etc/postgresql/$ver/$name/postgresql.conf"
    return 0
  fi
  out="$(pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start 2>&1)" || rc=$?
  if ((rc != 0)); then
    printf '%s\n' "$out" | tail -n 20 >&2
    mp__svc_err "postgres: pg_ctlcluster $ver $name start failed (exit $rc); see $MP_PG_LOG"
    return 1
  fi
  return 0
}

mp__start_redis() {
  local port="$1" pass="$2" user="$3" bin out rc=0
  bin="$(mp__redis_bin)" || bin=""
  if [[ -z "$bin" ]]; then mp__svc_err "redis: redis-server not found"; return 1; fi
  mkdir -p /var/lib/redis /var/log/redis || return 1
  local -a args=(--daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no
    --dir /var/lib/redis --logfile "/var/log/redis/mailplane-$port.log" --pidfile "/run/mailplane-redis-$port.pid")
  if [[ -n "$pass" && ( -z "$user" || "$user" == default ) ]]; then args+=(--requirepass "$pass"); fi
  out="$("$bin" "${args[@]}" 2>&1)" || rc=$?
  if ((rc != 0)); then
    printf '%s\n' "$out" | tail -n 20 >&2
    mp__svc_err "redis: redis-server failed to start (exit $rc); see /var/log/redis/mailplane-$port.log"
    return 1
  fi
  return 0
}

# ---------------------------------------------------------------------------
# mp_ensure_services

mp_ensure_services() {
  local timeout_s="${MP_SERVICES_TIMEOUT:-30}"
  local pg_url="${DATABASE_URL:-$MP_DEFAULT_DATABASE_URL}"
  local redis_url="${REDIS_URL:-$MP_DEFAULT_REDIS_URL}"

  local -A host port how
  local redis_auth="" redis_pass="" redis_user=""
  mp__parse_url "$pg_url" 5432 || return 1
  host[postgres]="$MP_URL_HOST" port[postgres]="$MP_URL_PORT"
  mp__parse_url "$redis_url" 6379 || return 1
  host[redis]="$MP_URL_HOST" port[redis]="$MP_URL_PORT"
  redis_user="$MP_URL_USER" redis_pass="$MP_URL_PASS"
  # (the trailing x keeps the final \r\n from being eaten by $(...))
  redis_auth="$(mp__redis_auth_cmd "$MP_URL_USER" "$MP_URL_PASS" "$MP_URL_HAS_PASS"; echo x)"
  redis_auth="${redis_auth%x}"

  local svc failed=0 extra
  local -a to_docker=() to_local=() pkgs=()

  # (a) already answering?
  for svc in postgres redis; do
    extra=""
    if [[ "$svc" == redis ]]; then extra="$redis_auth"; fi
    if mp__probe "$svc" "${host[$svc]}" "${port[$svc]}" "$extra"; then
      how[$svc]=found
      mp__svc_log "$svc found at $(mp__hp "${host[$svc]}" "${port[$svc]}")"
      continue
    fi
    # Something answers but it is not usable (wrong password, no JetStream...): don't start another.
    if [[ -n "$MP_PROBE_CONNECTED" ]]; then
      mp__svc_err "$svc at $(mp__hp "${host[$svc]}" "${port[$svc]}"): $MP_PROBE_WHY"
      how[$svc]=failed
      failed=1
      continue
    fi
    if ! mp__is_local "${host[$svc]}"; then
      mp__svc_err "$svc is not reachable at $(mp__hp "${host[$svc]}" "${port[$svc]}") ($MP_PROBE_WHY); it is not a local address, so it can't be started here"
      how[$svc]=failed
      failed=1
      continue
    fi
    if mp__docker_usable; then
      to_docker+=("$svc")
    else
      to_local+=("$svc")
    fi
  done

  # (b) Docker
  if ((${#to_docker[@]} > 0)); then
    local -a specs=()
    for svc in "${to_docker[@]}"; do specs+=("$svc=${host[$svc]}=${port[$svc]}"); done
    if mp__compose_up "${specs[@]}"; then
      for svc in "${to_docker[@]}"; do how[$svc]=docker; done
      # Postgres in a fresh container initialises its data dir before it accepts logins.
      if [[ "${how[postgres]:-}" == docker ]]; then MP_PG_CONNECT_WAIT="${MP_PG_CONNECT_WAIT:-60}"; fi
    else
      mp__svc_log "falling back to locally installed services for: ${to_docker[*]}"
      to_local+=("${to_docker[@]}")
    fi
  fi

  # (c) Debian packages, started without systemd
  if ((${#to_local[@]} > 0)); then
    for svc in "${to_local[@]}"; do
      case "$svc" in
        postgres) mp__pg_installed || pkgs+=(postgresql) ;;
        redis) [[ -n "$(mp__redis_bin)" ]] || pkgs+=(redis-server) ;;
      esac
    done
    if ((${#pkgs[@]} > 0)); then
      if ! MP_APT_TAG=services mp_apt_install "${pkgs[@]}"; then
        mp__svc_err "could not install ${pkgs[*]}"
        return 1
      fi
      hash -r
    fi
    local started
    for svc in "${to_local[@]}"; do
      started=""
      case "$svc" in
        postgres) mp__start_postgres "${port[postgres]}" && started=1 ;;
        redis) mp__start_redis "${port[redis]}" "$redis_pass" "$redis_user" && started=1 ;;
      esac
      if [[ -n "$started" ]]; then
        how[$svc]=started
      else
        how[$svc]=failed
        failed=1
      fi
    done
  fi

  # Wait for everything we started.
  local deadline=$((SECONDS + timeout_s)) pending
  for svc in postgres redis; do
    case "${how[$svc]:-}" in docker | started) ;; *) continue ;; esac
    extra=""
    if [[ "$svc" == redis ]]; then extra="$redis_auth"; fi
    pending=1
    while :; do
      if mp__probe "$svc" "${host[$svc]}" "${port[$svc]}" "$extra"; then pending=""; break; fi
      if ((SECONDS >= deadline)); then break; fi
      sleep 0.5
    done
    if [[ -z "$pending" ]]; then
      if [[ "${how[$svc]}" == docker ]]; then
        mp__svc_log "$svc started with docker compose on $(mp__hp "${host[$svc]}" "${port[$svc]}")"
      else
        mp__svc_log "$svc started on $(mp__hp "${host[$svc]}" "${port[$svc]}")"
      fi
    else
      local hint=""
      case "${how[$svc]}:$svc" in
        docker:*) hint="; see: ${MP_COMPOSE_CMD[*]} logs $svc" ;;
        started:postgres) hint="; see ${MP_PG_LOG:-/var/log/postgresql/}" ;;
        started:redis) hint="; see /var/log/redis/mailplane-${port[redis]}.log" ;;
      esac
      mp__svc_err "$svc did not answer at $(mp__hp "${host[$svc]}" "${port[$svc]}") within ${timeout_s}s ($MP_PROBE_WHY)$hint"
      failed=1
    fi
  done

  if ((failed)); then return 1; fi
  return 0
}

# ---------------------------------------------------------------------------
# Database role and databases

MP_PG_ADMIN=()
MP_PG_ADMIN_KEY=""

mp__ensure_psql() {
  if command -v psql >/dev/null 2>&1; then return 0; fi
  mp__svc_log "psql not found; installing postgresql-client"
  MP_APT_TAG=services mp_apt_install postgresql-client || return 1
  hash -r
  command -v psql >/dev/null 2>&1
}

# Parse DATABASE_URL into MP_DB_USER MP_DB_PASS MP_DB_HOST MP_DB_PORT MP_DB_NAME.
mp__parse_db_url() {
  local url="${DATABASE_URL:-$MP_DEFAULT_DATABASE_URL}"
  mp__parse_url "$url" 5432 || return 1
  MP_DB_USER="$MP_URL_USER"
  MP_DB_PASS="$MP_URL_PASS"
  MP_DB_HOST="$MP_URL_HOST"
  MP_DB_PORT="$MP_URL_PORT"
  MP_DB_NAME="$MP_URL_PATH"
  if [[ -z "$MP_DB_USER" ]]; then
    mp__svc_err "DATABASE_URL has no user name ($url)"
    return 1
  fi
  if [[ -z "$MP_DB_NAME" ]]; then MP_DB_NAME="$MP_DB_USER"; fi
  return 0
}

# Run the app's own connection: psql as MP_DB_USER on database $1, remaining args to psql.
mp__psql_app() {
  local db="$1"
  shift
  if [[ -n "$MP_DB_PASS" ]]; then
    PGPASSWORD="$MP_DB_PASS" psql -X -w -h "$MP_DB_HOST" -p "$MP_DB_PORT" -U "$MP_DB_USER" -d "$db" "$@"
  else
    psql -X -w -h "$MP_DB_HOST" -p "$MP_DB_PORT" -U "$MP_DB_USER" -d "$db" "$@"
  fi
}

mp__pg_why() {
  case "$1" in
    f) echo "connected, but not a superuser" ;;
    "") echo "failed" ;;
    *) echo "$1" ;;
  esac
}

# Finds a way to connect with enough rights to create roles and databases;
# sets MP_PG_ADMIN to the command (psql + args, reading SQL from stdin).
# Falls back to the app role itself (enough to create databases if it has CREATEDB),
# and, for a local Postgres run by docker compose, to psql inside its container
# (so the host needs no psql then).
mp__pg_admin() {
  local key="$MP_DB_HOST:$MP_DB_PORT:$MP_DB_USER:$MP_DB_NAME"
  if [[ "$MP_PG_ADMIN_KEY" == "$key" && ${#MP_PG_ADMIN[@]} -gt 0 ]]; then return 0; fi
  MP_PG_ADMIN=()
  MP_PG_ADMIN_KEY=""

  if ! command -v psql >/dev/null 2>&1; then
    if ! { mp__is_local "$MP_DB_HOST" && mp__docker_usable; }; then
      mp__ensure_psql || return 1
    fi
  fi

  local check="SELECT rolsuper OR (rolcreaterole AND rolcreatedb) FROM pg_roles WHERE rolname = current_user"
  local out deadline=$((SECONDS + ${MP_PG_CONNECT_WAIT:-10}))
  local -a cand errs
  while :; do
    errs=()
    if command -v psql >/dev/null 2>&1; then
      # 1. local superuser over the unix socket (peer auth on a fresh Debian install)
      if mp__is_local "$MP_DB_HOST" && id postgres >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
        cand=(runuser -u postgres -- psql -X -w -v ON_ERROR_STOP=1 -p "$MP_DB_PORT" -d postgres)
        if [[ -d /var/run/postgresql ]]; then cand+=(-h /var/run/postgresql); fi
        if out="$(cd / && "${cand[@]}" -Atc "$check" 2>&1)" && [[ "$out" == t ]]; then
          MP_PG_ADMIN=("${cand[@]}")
          break
        fi
        errs+=("runuser -u postgres psql: $(mp__pg_why "$out" | tail -n 1)")
      fi
      # 2. user postgres over TCP (trust auth, or PGPASSWORD from the environment)
      cand=(psql -X -w -v ON_ERROR_STOP=1 -h "$MP_DB_HOST" -p "$MP_DB_PORT" -U postgres -d postgres)
      if out="$("${cand[@]}" -Atc "$check" 2>&1)" && [[ "$out" == t ]]; then
        MP_PG_ADMIN=("${cand[@]}")
        break
      fi
      errs+=("psql -U postgres: $(mp__pg_why "$out" | tail -n 1)")
    fi
    # 3. psql inside the compose postgres container (its POSTGRES_USER is the app role)
    if mp__is_local "$MP_DB_HOST" && mp__docker_usable; then
      cand=(mp__compose exec -T postgres psql -X -w -v ON_ERROR_STOP=1 -U "$MP_DB_USER" -d postgres)
      if out="$("${cand[@]}" -Atc "$check" 2>&1)" && [[ "$out" == t ]]; then
        MP_PG_ADMIN=("${cand[@]}")
        break
      fi
      errs+=("docker compose exec postgres psql -U $MP_DB_USER: $(mp__pg_why "$out" | tail -n 1)")
    fi
    # 4. the app role itself, on its own database
    if command -v psql >/dev/null 2>&1; then
      if out="$(mp__psql_app "$MP_DB_NAME" -Atc "SELECT 1" 2>&1)" && [[ "$out" == 1 ]]; then
        MP_PG_ADMIN=(mp__psql_app "$MP_DB_NAME" -v ON_ERROR_STOP=1)
        break
      fi
      errs+=("psql -U $MP_DB_USER -d $MP_DB_NAME: $(mp__pg_why "$out" | tail -n 1)")
    fi
    if ((SECONDS >= deadline)); then break; fi
    sleep 1
  done
  if ((${#MP_PG_ADMIN[@]} == 0)); then
    mp__svc_err "postgres: cannot connect to $(mp__hp "$MP_DB_HOST" "$MP_DB_PORT") as a superuser nor as $MP_DB_USER:"
    printf '[services]   %s\n' "${errs[@]}" >&2
    return 1
  fi
  MP_PG_ADMIN_KEY="$key"
  return 0
}

# Run SQL from stdin through the admin connection, with psql variables; prints output.
mp__pg_admin_sql() {
  local -a vars=()
  while (($# > 0)); do vars+=(-v "$1"); shift; done
  if [[ "${MP_PG_ADMIN[0]}" == runuser ]]; then
    (cd / && "${MP_PG_ADMIN[@]}" "${vars[@]}" -At 2>&1)
  else
    "${MP_PG_ADMIN[@]}" "${vars[@]}" -At 2>&1
  fi
}

# mp__pg_ensure DBNAME : role of DATABASE_URL exists (LOGIN CREATEDB CREATEROLE: the migrations create the
# read-only mailplane_mailstack role), DBNAME exists owned by it.
mp__pg_ensure() {
  local db="$1" out rc=0 line
  mp__pg_admin || return 1
  out="$(mp__pg_admin_sql "role=$MP_DB_USER" "pw=$MP_DB_PASS" "db=$db" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB CREATEROLE%s', :'role',
              CASE WHEN :'pw' <> '' THEN format(' PASSWORD %L', :'pw') ELSE '' END)
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB CREATEROLE', :'role') FROM pg_roles
 WHERE rolname = :'role' AND NOT rolsuper AND NOT (rolcanlogin AND rolcreatedb AND rolcreaterole) \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT 'note: database ' || d.datname || ' is owned by ' || pg_get_userbyid(d.datdba) || ', not ' || :'role'
  FROM pg_database d WHERE d.datname = :'db' AND pg_get_userbyid(d.datdba) <> :'role';
SQL
)" || rc=$?
  if ((rc != 0)); then
    printf '%s\n' "$out" | tail -n 5 | sed 's/^/[services]   /' >&2
    mp__svc_err "postgres: could not create role $MP_DB_USER / database $db (psql exit $rc)"
    return 1
  fi
  local made=""
  while IFS= read -r line; do
    case "$line" in
      "CREATE ROLE") mp__svc_log "postgres: created role $MP_DB_USER"; made=1 ;;
      "ALTER ROLE") mp__svc_log "postgres: granted LOGIN CREATEDB CREATEROLE to role $MP_DB_USER"; made=1 ;;
      "CREATE DATABASE") mp__svc_log "postgres: created database $db (owner $MP_DB_USER)"; made=1 ;;
      note:*) mp__svc_log "postgres: $line" ;;
    esac
  done <<<"$out"

  # The app must be able to log in with the URL's credentials.
  if ! command -v psql >/dev/null 2>&1; then
    mp__svc_log "postgres: role $MP_DB_USER and database $db ensured (no psql on this host to test the app's login)"
    return 0
  fi
  if ! out="$(mp__psql_app "$db" -Atc "SELECT 1" 2>&1)"; then
    if [[ -n "$MP_DB_PASS" && "${MP_PG_ADMIN[0]}" != mp__psql_app ]]; then
      mp__svc_log "postgres: $MP_DB_USER cannot log in with the password in DATABASE_URL; setting it"
      rc=0
      out="$(mp__pg_admin_sql "role=$MP_DB_USER" "pw=$MP_DB_PASS" <<'SQL'
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') FROM pg_roles
 WHERE rolname = :'role' AND NOT rolsuper \gexec
SQL
)" || rc=$?
      if ((rc == 0)) && out="$(mp__psql_app "$db" -Atc "SELECT 1" 2>&1)"; then
        mp__svc_log "postgres: database $db ready (user $MP_DB_USER)"
        return 0
      fi
    fi
    printf '%s\n' "$out" | tail -n 3 | sed 's/^/[services]   /' >&2
    mp__svc_err "postgres: $MP_DB_USER cannot connect to database $db at $(mp__hp "$MP_DB_HOST" "$MP_DB_PORT") (check pg_hba.conf / password)"
    return 1
  fi
  if [[ -z "$made" ]]; then
    mp__svc_log "postgres: role $MP_DB_USER and database $db exist"
  else
    mp__svc_log "postgres: database $db ready (user $MP_DB_USER)"
  fi
  return 0
}

mp_ensure_database() {
  mp__parse_db_url || return 1
  mp__pg_ensure "$MP_DB_NAME"
}

mp_ensure_database_named() {
  if [[ -z "${1:-}" ]]; then
    mp__svc_err "mp_ensure_database_named: database name required"
    return 1
  fi
  mp__parse_db_url || return 1
  mp__pg_ensure "$1"
}

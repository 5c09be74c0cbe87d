# shellcheck shell=bash
# Environment for the start and test commands: .env if present, defaults, and generated secrets
# kept in .run/secrets.env (mode 600) so a restart keeps sessions and encrypted data valid.

mp_load_config() {
  local repo="$1"
  mkdir -p "$repo/.run"
  if [[ -f "$repo/.env" ]]; then
    set -a
    # shellcheck disable=SC1091
    source "$repo/.env"
    set +a
  fi
  local secrets="$repo/.run/secrets.env"
  (umask 077 && touch "$secrets")
  mp__secret "$secrets" JWT_SECRET "$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=' | head -c 64)"
  mp__secret "$secrets" MAILPLANE_SECRET_KEY "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"
  # The bus (scripts/lib/bus.sh): each app's own NATS password, and an Ed25519 key for each app that
  # sends RPCs (it signs the caller context; the services verify with BUS_VERIFY_KEYS).
  local app var
  for app in "${MP_BUS_APPS[@]}"; do
    var="$(mp_bus_var "$app")"
    mp__secret "$secrets" "NATS_PASSWORD_$var" "$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')"
  done
  for app in "${MP_BUS_SENDERS[@]}"; do
    mp__secret "$secrets" "BUS_SIGNING_KEY_$(mp_bus_var "$app")" "$(openssl genpkey -algorithm ed25519 -outform DER | base64 | tr -d '\n')"
  done
  local line key
  while IFS= read -r line; do
    key="${line%%=*}"
    [[ -z "${!key:-}" ]] && export "$line"
  done <"$secrets"
  export DATABASE_URL="${DATABASE_URL:-postgres://mailplane:mailplane@127.0.0.1:5432/mailplane}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
  # The product's own authenticated bus (scripts/lib/bus.sh), never the machine's open 4222.
  export NATS_URL="${NATS_URL:-nats://127.0.0.1:4223}"
  if [[ -z "${BUS_VERIFY_KEYS:-}" ]]; then
    local keys=() priv
    for app in "${MP_BUS_SENDERS[@]}"; do
      priv="BUS_SIGNING_KEY_$(mp_bus_var "$app")"
      keys+=("$app=$(printf '%s' "${!priv}" | base64 -d | openssl pkey -inform DER -pubout -outform DER | base64 | tr -d '\n')")
    done
    BUS_VERIFY_KEYS="$(IFS=,; echo "${keys[*]}")"
    export BUS_VERIFY_KEYS
  fi
  export GATEWAY_PORT="${GATEWAY_PORT:-3000}"
}

# The bus's apps and its senders, as in libs/contracts/src/bus/bus-catalog.ts (BUS_APPS, BUS_SENDERS);
# the config generator refuses to run when an app has no password.
MP_BUS_APPS=(gateway domain-service mailbox-service dkim-tls-service queue-service stats-service worker)
MP_BUS_SENDERS=(gateway worker)

# NATS_PASSWORD_<this> / BUS_SIGNING_KEY_<this> of an app: domain-service -> DOMAIN_SERVICE.
mp_bus_var() {
  local v="${1^^}"
  echo "${v//-/_}"
}

# mp__secret FILE KEY VALUE: appends KEY=VALUE unless FILE has KEY (earlier secrets are kept).
mp__secret() {
  grep -q "^$2=" "$1" || echo "$2=$3" >>"$1"
}

# Prints DATABASE_URL with its database name replaced by $1.
mp_database_url_for() {
  local name="$1" base="${DATABASE_URL%%\?*}" query=""
  [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
  echo "${base%/*}/${name}${query}"
}

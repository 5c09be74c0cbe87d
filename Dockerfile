# syntax=docker/dockerfile:1
#
# Mailplane images. The default target (`runtime`, built last) runs every process except the mail node:
#   gateway (default):  docker run mailplane
#   domain-service:     docker run mailplane node dist/apps/domain-service/src/main.js
#   mailbox-service:    docker run mailplane node dist/apps/mailbox-service/src/main.js
#   dkim-tls-service:   docker run mailplane node dist/apps/dkim-tls-service/src/main.js
#   worker (import and other jobs that need no mail stack):
#                       docker run mailplane node dist/apps/worker/src/main.js
#   migrations + seed:  docker run mailplane sh -c 'node dist/libs/database/src/cli/migrate.js && node dist/libs/database/seeds/first-admin.seed.js'
#
# `--target mailnode` adds Postfix, Dovecot and OpenDKIM to the same app files. Its entrypoint
# (/usr/local/bin/mailnode, written below) seeds the base configuration into empty volumes, starts the
# daemons and then, depending on its argument:
#   mailnode all       (default; docker compose) also runs queue-service, stats-service, policy-service and the node
#                      worker in the same container, on HEALTH_PORT, HEALTH_PORT+1 and HEALTH_PORT+2
#                      (3001-3003 when unset); exits when one of them exits, so the container restarts.
#   mailnode daemons   (k8s) only the daemons; the three apps run as sibling containers of the pod,
#                      sharing its volumes and process namespace (`postfix reload` signals the master).
#   mailnode seed      (k8s init container) only the seeding.
# The mail node runs as root: the daemons bind 25/587/143/993 and drop privileges themselves, and the
# apps beside them run postsuper, doveadm and `postfix reload` and write /etc/postfix etc.
# The base configuration is static (listeners, LMTP to Dovecot, SASL, milter, logs); reconcile renders
# the rest (pgsql maps, main.cf parameters, Dovecot's SQL config and quota include, OpenDKIM tables
# and keys) into the same volumes.
#
# Debian (glibc) rather than Alpine (musl): argon2 ships glibc prebuilds, and the slim image has no
# compiler toolchain to build it from source.
#
# Only configuration keys from libs/common/src/config/config.schema.ts may be set with ENV here
# (test/deploy/deploy-files.spec.ts enforces it); build-time knobs use ARG or inline variables.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- deps: full dependency tree (incl. devDependencies, needed to compile) ---------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund

# ---- build: compile TypeScript, then drop devDependencies --------------------------------------
FROM deps AS build
# Explicit copies (not `COPY . .`): only what tsc needs, so local dist/, .env, tests etc. never
# leak into the image even if .dockerignore is incomplete.
COPY tsconfig.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx tsc -p tsconfig.build.json \
 && rm -f dist/.tsbuildinfo \
 && npm prune --omit=dev --no-audit --no-fund

# ---- app: Node, tini and the compiled apps; shared by mailnode and runtime -----------------------
FROM ${NODE_IMAGE} AS app
# tini as PID 1 forwards SIGTERM to node and reaps zombies; without it a node PID 1 that has no
# SIGTERM handler would ignore `docker stop` / pod termination until SIGKILL.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

# Files stay owned by root and are only readable by the `node` user: the app cannot modify its own
# code, and the container works with a read-only root filesystem.
# package.json is needed at runtime: "type": "module" and the "#common"/"#database" subpath imports.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
ENTRYPOINT ["/usr/bin/tini", "--"]

# ---- mailnode: the apps plus Postfix, Dovecot and OpenDKIM (see the header) ------------------------
FROM app AS mailnode
# policy-rc.d exiting 101 keeps the packages' postinst scripts from starting daemons during the build;
# "No configuration" keeps debconf from writing a main.cf (the base main.cf is written below).
# busybox provides a tiny syslogd: OpenDKIM logs only to syslog.
RUN printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d \
 && chmod 755 /usr/sbin/policy-rc.d \
 && echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      postfix postfix-pgsql dovecot-core dovecot-imapd dovecot-lmtpd dovecot-pgsql \
      opendkim opendkim-tools openssl ca-certificates busybox \
 && rm -f /usr/sbin/policy-rc.d \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 5000 vmail \
 && useradd --system --uid 5000 --gid vmail --home-dir /var/vmail --no-create-home --shell /usr/sbin/nologin vmail

# Static base configuration. Names match scripts/mailstack.sh (the loopback set-up of the tests):
# Dovecot includes mailplane-sql.conf.ext and mailplane.conf, OpenDKIM reads KeyTable and SigningTable
# under /etc/opendkim; reconcile renders those.
COPY <<"EOF" /etc/postfix/main.cf
# Mailplane mail node base configuration (Dockerfile). Reconcile sets the maps, limits, mynetworks,
# TLS and DNSBL parameters with postconf -e. myhostname defaults to the container's host name.
compatibility_level = 3.6
myorigin = $myhostname
mydestination =
inet_interfaces = all
inet_protocols = all
mynetworks = 127.0.0.0/8 [::1]/128
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
smtpd_banner = $myhostname ESMTP
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
maillog_file = /var/log/mail.log
virtual_transport = lmtp:unix:private/dovecot-lmtp
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_tls_cert_file = /etc/postfix/tls/mail.crt
smtpd_tls_key_file = /etc/postfix/tls/mail.key
smtpd_tls_security_level = may
smtp_tls_security_level = may
smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt
smtpd_milters = inet:127.0.0.1:8891
non_smtpd_milters = $smtpd_milters
milter_default_action = accept
EOF
COPY <<"EOF" /etc/postfix/master.cf
# Mailplane mail node master.cf (Dockerfile): SMTP on 25, submission on 587 (STARTTLS + SASL through
# Dovecot), no chroot (`postfix start` does not populate one), logs through postlogd to maillog_file.
smtp      inet  n       -       n       -       -       smtpd
submission inet n       -       n       -       -       smtpd
  -o syslog_name=postfix/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
COPY <<"EOF" /etc/dovecot/dovecot.conf
# Mailplane mail node base configuration (Dockerfile; self-contained, conf.d is not used).
# Reconcile renders /etc/dovecot/mailplane-sql.conf.ext (SQL passdb/userdb) and mailplane.conf (quota).
protocols = imap lmtp
listen = *, ::
base_dir = /run/dovecot/
log_path = /var/log/dovecot.log
info_log_path = /var/log/dovecot.log
ssl = yes
ssl_cert = </etc/postfix/tls/mail.crt
ssl_key = </etc/postfix/tls/mail.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = plain login
mail_location = maildir:/var/vmail/%d/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 100
mail_plugins = $mail_plugins quota
passdb {
  driver = sql
  args = /etc/dovecot/mailplane-sql.conf.ext
}
userdb {
  driver = sql
  args = /etc/dovecot/mailplane-sql.conf.ext
}
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
    ssl = yes
  }
}
service lmtp {
  unix_listener /var/spool/postfix/private/dovecot-lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
protocol imap {
  mail_plugins = $mail_plugins imap_quota
}
!include_try /etc/dovecot/mailplane.conf
EOF
COPY <<"EOF" /etc/opendkim.conf
# Mailplane mail node base configuration (Dockerfile). Reconcile renders KeyTable, SigningTable and
# keys/ under /etc/opendkim.
Syslog                  yes
LogWhy                  yes
Mode                    sv
Canonicalization        relaxed/simple
OversignHeaders         From
UserID                  opendkim:opendkim
UMask                   007
Socket                  inet:8891@127.0.0.1
PidFile                 /run/opendkim/opendkim.pid
KeyTable                file:/etc/opendkim/KeyTable
SigningTable            refile:/etc/opendkim/SigningTable
InternalHosts           127.0.0.1, ::1
EOF
COPY --chmod=755 <<"EOF" /usr/local/bin/mailnode
#!/bin/bash
# Mail node entrypoint: `mailnode all|daemons|seed` (see the Dockerfile header).
set -Eeuo pipefail
DEFAULTS=/usr/local/share/mailplane-mailnode
APPS=(queue-service stats-service worker policy-service)
BUS_SECRETS=/run/secrets/mailplane-bus
log() { echo "mailnode: $*" >&2; }

# Volumes (k8s emptyDir/PVC) start empty: copy the image's files into each one that is.
seed() {
  local dir
  for dir in /etc/postfix /etc/dovecot /etc/opendkim /var/spool/postfix; do
    mkdir -p "$dir"
    # lost+found: a fresh ext4 volume is empty all the same.
    if [ -z "$(ls -A "$dir" | grep -vx 'lost+found')" ]; then cp -a "$DEFAULTS$dir/." "$dir/"; log "seeded $dir"; fi
  done
  install -d -o vmail -g vmail -m 770 /var/vmail
  install -d -o opendkim -g opendkim -m 750 /etc/opendkim/keys /run/opendkim
  install -d -o postfix -g postfix -m 755 /var/lib/postfix
  install -d -m 755 /run/dovecot /etc/postfix/tls
  touch /var/log/mail.log /var/log/dovecot.log
  if [ ! -s /etc/postfix/tls/mail.key ]; then  # until reconcile installs a real certificate
    cn="$(hostname -f 2>/dev/null || hostname)"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$cn" -keyout /etc/postfix/tls/mail.key -out /etc/postfix/tls/mail.crt 2>/dev/null
    chmod 600 /etc/postfix/tls/mail.key
    log "generated a self-signed certificate"
  fi
  if [ ! -e /etc/dovecot/mailplane-sql.conf.ext ]; then  # placeholder until the first reconcile
    node "$DEFAULTS/dovecot-sql-placeholder.mjs" > /etc/dovecot/mailplane-sql.conf.ext
    chown root:dovecot /etc/dovecot/mailplane-sql.conf.ext && chmod 640 /etc/dovecot/mailplane-sql.conf.ext
  fi
  [ -e /etc/dovecot/mailplane.conf ] || echo "# rendered by reconcile" > /etc/dovecot/mailplane.conf
  # Without a myhostname Postfix would say <short name>.localdomain in its banner and HELO.
  if [ -z "$(postconf -nh myhostname)" ] && [[ "$(hostname -f 2>/dev/null)" == *.* ]]; then
    postconf -e "myhostname=$(hostname -f)"
  fi
  postfix check  # also creates missing queue directories and fixes their owners
}

start_daemons() {
  busybox syslogd -O /var/log/syslog || log "no syslogd: OpenDKIM's messages are lost"
  postfix status 2>/dev/null || postfix start
  [ -e /run/dovecot/master.pid ] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null || dovecot
  [ -e /run/opendkim/opendkim.pid ] && kill -0 "$(cat /run/opendkim/opendkim.pid)" 2>/dev/null || opendkim -x /etc/opendkim.conf
  log "postfix, dovecot and opendkim started"
}

stop_all() {
  trap - TERM INT
  if [ -n "${APP_PIDS:-}" ]; then kill -TERM $APP_PIDS 2>/dev/null || true; wait $APP_PIDS 2>/dev/null || true; fi
  postfix stop 2>/dev/null || true
  doveadm stop 2>/dev/null || true
  [ -e /run/opendkim/opendkim.pid ] && kill "$(cat /run/opendkim/opendkim.pid)" 2>/dev/null || true
  log "stopped"
}

case "${1:-all}" in
  seed) seed ;;
  daemons)
    seed; start_daemons
    trap 'stop_all; exit 0' TERM INT
    sleep infinity & wait $! ;;
  all)
    seed; start_daemons
    base="${HEALTH_PORT:-0}"; [ "$base" -gt 0 ] || base=3001
    APP_PIDS=""; i=0
    for app in "${APPS[@]}"; do
      # Each app is its own bus user: its password (and a sender's signing key) from the mounted
      # bus secret files when there are any, else the container's NATS_PASSWORD/BUS_SIGNING_KEY.
      (
        export NATS_USER="$app" HEALTH_PORT=$((base + i))
        if [ -r "$BUS_SECRETS/$app.password" ]; then NATS_PASSWORD="$(cat "$BUS_SECRETS/$app.password")"; export NATS_PASSWORD; fi
        if [ -r "$BUS_SECRETS/$app.signing-key" ]; then BUS_SIGNING_KEY="$(cat "$BUS_SECRETS/$app.signing-key")"; export BUS_SIGNING_KEY; fi
        exec node "dist/apps/$app/src/main.js"
      ) & APP_PIDS="$APP_PIDS $!"; i=$((i + 1))
    done
    trap 'stop_all; exit 0' TERM INT
    rc=0; wait -n $APP_PIDS || rc=$?
    log "an app exited ($rc); stopping the node"; stop_all; exit "$rc" ;;
  *) exec "$@" ;;
esac
EOF
COPY <<"EOF" /usr/local/share/mailplane-mailnode/dovecot-sql-placeholder.mjs
// Prints Dovecot's SQL config for the `mailstack` views until the first reconcile renders the real one:
// MAILSTACK_DATABASE_URL, else DATABASE_URL's server as role mailplane_mailstack (the schema's default).
const own = process.env.MAILSTACK_DATABASE_URL;
const url = new URL(own || process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/mailplane');
const quote = (v) => `'${v.replace(/[\\']/g, '\\$&')}'`;
const user = own ? decodeURIComponent(url.username) : 'mailplane_mailstack';
const password = own ? decodeURIComponent(url.password) : '';
const connect = [`host=${url.hostname}`, `port=${url.port || 5432}`, `dbname=${decodeURIComponent(url.pathname.slice(1))}`, `user=${quote(user)}`];
if (password) connect.push(`password=${quote(password)}`);
console.log(`# Placeholder written by the mail node entrypoint; reconcile replaces it.
driver = pgsql
connect = ${connect.join(' ')}
default_pass_scheme = ARGON2ID
password_query = SELECT username AS user, password FROM mailstack.users WHERE username = '%u'
user_query = SELECT home, quota_rule FROM mailstack.users WHERE username = '%u'`);
EOF
# The configuration above as packaged defaults: the entrypoint copies them into empty volumes.
RUN mkdir -p /usr/local/share/mailplane-mailnode/etc /usr/local/share/mailplane-mailnode/var/spool \
 && install -d -o opendkim -g opendkim -m 750 /etc/opendkim /etc/opendkim/keys \
 && install -m 640 -o root -g opendkim /dev/null /etc/opendkim/KeyTable \
 && install -m 640 -o root -g opendkim /dev/null /etc/opendkim/SigningTable \
 && cp -a /etc/postfix /etc/dovecot /etc/opendkim /usr/local/share/mailplane-mailnode/etc/ \
 && cp -a /var/spool/postfix /usr/local/share/mailplane-mailnode/var/spool/

# SMTP, submission, IMAP, IMAPS; 3001-3003 are the apps' probes (inside only).
EXPOSE 25 587 143 993
# -s: in a k8s pod that shares its process namespace tini is not PID 1; still reap as a subreaper.
ENTRYPOINT ["/usr/bin/tini", "-s", "--", "/usr/local/bin/mailnode"]
CMD ["all"]

# ---- runtime (default target): every process except the mail node ------------------------------
FROM app AS runtime
# Unprivileged user from the base image (uid/gid 1000; k8s manifests set runAsUser: 1000 because
# runAsNonRoot cannot verify a non-numeric user name).
USER node

EXPOSE 3000
CMD ["node", "dist/apps/gateway/src/main.js"]

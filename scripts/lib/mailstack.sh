# shellcheck shell=bash
# The real mail stack on loopback (Debian 12, root, no systemd, no Docker): Postfix, Dovecot, OpenDKIM.
#
#   source scripts/lib/mailstack.sh
#   mp_mailstack_up        # install missing packages, write the static base config, role LOGIN, start/reload
#   mp_mailstack_stop      # stop the three daemons
#   mp_mailstack_status    # print each daemon's state; non-zero when one is down
#
# The base configuration is STATIC: written once and rewritten only when this file's version of it
# changes (a sha256 stamp beside each file). What reconcile renders (pgsql maps, main.cf parameters from
# the global tier, Dovecot's SQL config and quota include, OpenDKIM KeyTable/SigningTable/keys) is never
# overwritten here: main.cf parameters reconcile owns are carried over when main.cf is rewritten, and the
# rendered files are only created (empty/placeholder) when missing.
#
# Environment (defaults): POSTFIX_CONFIG_DIR=/etc/postfix DOVECOT_CONFIG_DIR=/etc/dovecot
# OPENDKIM_CONFIG_DIR=/etc/opendkim OPENDKIM_USER=opendkim MAIL_LOG_FILE=/var/log/mail.log
# MAILSTACK_HOSTNAME=mail.mailplane.test MAILSTACK_SMTP_PORT=2525 MAILSTACK_SUBMISSION_PORT=5870
# MAILSTACK_IMAP_PORT=1143 MAILSTACK_POP3_PORT=1110 MAILSTACK_LMTP_PORT=2424 MAILSTACK_DKIM_PORT=8891 MAILSTACK_VMAIL_DIR=/var/vmail
# MAILSTACK_DATABASE_URL (optional; a password in it is set on role mailplane_mailstack).
# Functions return non-zero on failure (never `exit`); safe under `set -euo pipefail`.

if [[ -n "${MP_LIB_MAILSTACK_LOADED:-}" ]]; then return 0; fi
MP_LIB_MAILSTACK_LOADED=1

MP_MS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/lib/apt.sh
source "$MP_MS_REPO/scripts/lib/apt.sh"
# shellcheck source=scripts/lib/antispam-stack.sh
source "$MP_MS_REPO/scripts/lib/antispam-stack.sh"

MS_PACKAGES=(postfix postfix-pgsql dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd dovecot-pgsql dovecot-sieve opendkim opendkim-tools
  rspamd clamav-daemon dnsmasq-base)
MS_ROLE=mailplane_mailstack
# main.cf parameters reconcile sets with `postconf -e` (libs/mailstack/src/postfix/main-cf.renderer.ts):
# kept across a rewrite of the base main.cf.
MS_RECONCILED_PARAMS=(virtual_mailbox_domains virtual_mailbox_maps virtual_alias_maps transport_maps proxy_read_maps
  message_size_limit smtpd_client_connection_rate_limit anvil_rate_time_unit mynetworks smtpd_tls_protocols
  smtpd_tls_mandatory_protocols smtpd_tls_ciphers smtpd_tls_mandatory_ciphers smtpd_recipient_restrictions
  smtpd_tls_cert_file smtpd_tls_key_file smtpd_tls_security_level smtpd_sender_restrictions plaintext_reject_code
  smtpd_end_of_data_restrictions sender_dependent_default_transport_maps)

ms_log() { echo "[mailstack] $*"; }
ms_err() { echo "[mailstack] error: $*" >&2; }

ms__env() {
  MS_PF="${POSTFIX_CONFIG_DIR:-/etc/postfix}"
  MS_DC="${DOVECOT_CONFIG_DIR:-/etc/dovecot}"
  MS_DK="${OPENDKIM_CONFIG_DIR:-/etc/opendkim}"
  MS_DK_CONF="$(dirname "$MS_DK")/opendkim.conf"
  MS_DK_USER="${OPENDKIM_USER:-opendkim}"
  MS_LOG="${MAIL_LOG_FILE:-/var/log/mail.log}"
  MS_HOST="${MAILSTACK_HOSTNAME:-mail.mailplane.test}"
  MS_SMTP="${MAILSTACK_SMTP_PORT:-2525}"
  MS_SUB="${MAILSTACK_SUBMISSION_PORT:-5870}"
  MS_IMAP="${MAILSTACK_IMAP_PORT:-1143}"
  MS_POP3="${MAILSTACK_POP3_PORT:-1110}"
  MS_LMTP="${MAILSTACK_LMTP_PORT:-2424}"
  MS_DKIM="${MAILSTACK_DKIM_PORT:-8891}"
  MS_VMAIL="${MAILSTACK_VMAIL_DIR:-/var/vmail}"
  MS_DK_PID=/run/opendkim/opendkim.pid
  MS_SYSLOG_PID=/run/mailplane-syslog.pid
  MS_CHANGED=()
  ms__antispam_env
}

# PID 1 here reaps zombies late: `kill -0` is no proof of life, read the process state.
ms__alive() { [[ -n "${1:-}" && -r "/proc/$1/stat" ]] && ! awk '{exit ($3 == "Z") ? 0 : 1}' "/proc/$1/stat" 2>/dev/null; }
ms__pidfile_alive() { local p; p="$(cat "$1" 2>/dev/null || true)"; ms__alive "$p"; }
ms__wait_tcp() {
  local i
  for i in $(seq 100); do
    if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  ms_err "timeout waiting for $1:$2"
  return 1
}

# ms__install_file PATH MODE OWNER:GROUP CONTENT: writes when the stamp of CONTENT differs; records a change.
ms__install_file() {
  local path="$1" mode="$2" owner="$3" content="$4" sum stamp
  stamp="$(dirname "$path")/.mailplane-$(basename "$path").sha256"
  sum="$(printf '%s' "$content" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$path" && "$(cat "$stamp" 2>/dev/null || true)" == "$sum" ]]; then return 0; fi
  local tmp="$path.mailplane-tmp"
  printf "%s\n" "$content" >"$tmp" && chmod "$mode" "$tmp" && chown "$owner" "$tmp" && mv -f "$tmp" "$path" || return 1
  echo "$sum" >"$stamp"
  MS_CHANGED+=("$path")
  ms_log "wrote $path"
}

# Creates PATH with CONTENT only when missing (files reconcile renders afterwards).
ms__ensure_file() {
  local path="$1" mode="$2" owner="$3" content="$4"
  [[ -e "$path" ]] && return 0
  printf "%s\n" "$content" >"$path" && chmod "$mode" "$path" && chown "$owner" "$path"
}

ms__packages() {
  local missing=() p
  for p in "${MS_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
  done
  ((${#missing[@]} == 0)) && return 0
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  MP_APT_TAG=mailstack mp_apt_install "${missing[@]}"
}

ms__users_dirs() {
  id vmail >/dev/null 2>&1 || useradd --system --user-group --home-dir "$MS_VMAIL" --no-create-home --shell /usr/sbin/nologin vmail || return 1
  install -d -o vmail -g vmail -m 770 "$MS_VMAIL"
  install -d -o root -g postfix -m 750 "$MS_PF/pgsql"
  install -d -o "$MS_DK_USER" -g "$MS_DK_USER" -m 750 "$MS_DK" "$MS_DK/keys" /run/opendkim
  install -d -m 755 /run/dovecot
  touch "$MS_LOG" /var/log/dovecot.log && chmod 644 "$MS_LOG" /var/log/dovecot.log
}

ms__main_cf() {
  cat <<EOF
# Mailplane base configuration v2, written by scripts/mailstack.sh (static part).
# Reconcile sets the maps, limits, mynetworks, TLS and DNSBL parameters with postconf -e.
compatibility_level = 3.6
myhostname = $MS_HOST
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
biff = no
append_dot_mydomain = no
alias_maps =
alias_database =
smtpd_banner = \$myhostname ESMTP
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# Every client counts for max_smtpd_rate_per_min, loopback too (Postfix exempts mynetworks by default):
# on this loopback stack every client is in mynetworks.
smtpd_client_event_limit_exceptions =
maillog_file = $MS_LOG
# Nothing ever leaves this box: non-local mail defers against a closed port.
default_transport = smtp:[127.0.0.1]:9
relay_transport = smtp:[127.0.0.1]:9
virtual_transport = lmtp:unix:private/dovecot-lmtp
# Dovecot's quota limits mailboxes; local(8)/virtual(8) would refuse to run with a message_size_limit
# above these (the API allows up to 2 GiB).
mailbox_size_limit = 0
virtual_mailbox_limit = 0
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
# Rspamd (spam, virus, greylisting, lists, DNSBL) before OpenDKIM, so a signature covers what Rspamd adds.
# Mail Postfix makes itself (bounces, Sieve replies) is only signed. Either milter down: mail still flows.
smtpd_milters = inet:127.0.0.1:$MS_RS_MILTER, inet:127.0.0.1:$MS_DKIM
non_smtpd_milters = inet:127.0.0.1:$MS_DKIM
milter_default_action = accept
EOF
}

ms__master_cf() {
  cat <<EOF
# Mailplane base master.cf, written by scripts/mailstack.sh. No port 25; no chroot (postfix start does
# not populate it). Reconcile sets process_limit of the smtpd services (max_smtpd_connections).
127.0.0.1:$MS_SMTP inet n - n - - smtpd
127.0.0.1:$MS_SUB inet n - n - - smtpd
  -o syslog_name=postfix/submission
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
}

ms__dovecot_conf() {
  cat <<EOF
# Mailplane base configuration, written by scripts/mailstack.sh (self-contained: conf.d is not used).
# Reconcile renders $MS_DC/mailplane-sql.conf.ext (SQL passdb/userdb) and $MS_DC/mailplane.conf (quota).
protocols = imap pop3 lmtp
listen = 127.0.0.1
base_dir = /run/dovecot/
log_path = /var/log/dovecot.log
info_log_path = /var/log/dovecot.log
auth_verbose = yes
auth_failure_delay = 0
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$MS_VMAIL/%d/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = 100
mail_plugins = \$mail_plugins quota
passdb {
  driver = sql
  args = $MS_DC/mailplane-sql.conf.ext
}
userdb {
  driver = sql
  args = $MS_DC/mailplane-sql.conf.ext
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $MS_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $MS_POP3
  }
  inet_listener pop3s {
    port = 0
  }
}
service lmtp {
  unix_listener /var/spool/postfix/private/dovecot-lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = $MS_LMTP
  }
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
# No auth penalty: the test suites fail logins from 127.0.0.1 on purpose, and anvil would then delay
# every later login (IMAP and Postfix SASL) from that address by up to 15 s.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@$MS_HOST
  mail_plugins = \$mail_plugins sieve
}
# Pigeonhole Sieve at delivery. The platform's script runs before the user's own; it reads the mailbox's
# settings from userdb fields (sieve_env_mailplane_*, the mailstack.users view), so no file per mailbox.
plugin {
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_before = $MS_DC/sieve/mailplane-before.sieve
  sieve_global_extensions = +vnd.dovecot.environment +editheader
}
protocol imap {
  mail_plugins = \$mail_plugins imap_quota
}
!include_try $MS_DC/mailplane.conf
EOF
}

# Placeholder until the first reconcile: the views of the default database, as the read-only role.
ms__dovecot_sql_placeholder() {
  cat <<EOF
# Placeholder written by scripts/mailstack.sh; reconcile replaces it.
driver = pgsql
connect = host=127.0.0.1 port=5432 dbname=mailplane user=$MS_ROLE
default_pass_scheme = ARGON2ID
password_query = SELECT username AS user, password FROM mailstack.users WHERE username = '%u'
user_query = SELECT home, quota_rule FROM mailstack.users WHERE username = '%u'
EOF
}

# Sieve run before every mailbox's own script (vacation from the mailbox's settings; see dovecot.conf's plugin block).
ms__sieve_before() {
  cat <<'EOF'
# Mailplane platform Sieve script, written by scripts/mailstack.sh. Settings arrive as userdb fields
# sieve_env_mailplane_* (libs/mailstack/src/dovecot/sql-conf.renderer.ts USER_QUERY). Spam scores are
# centi-points: Rspamd writes X-Mailplane-Spam-Score (scripts/lib/antispam-stack.sh), the view the
# thresholds; both are compared as numbers.
require ["vacation", "variables", "environment", "vnd.dovecot.environment", "fileinto", "mailbox",
         "relational", "comparator-i;ascii-numeric", "editheader"];

set "spam" "0";
if exists "X-Mailplane-Spam-Score" {
  set "threshold" "";
  set "action" "";
  set "autojunk" "";
  if environment :matches "vnd.dovecot.config.mailplane_spam_threshold" "*" { set "threshold" "${1}"; }
  if environment :matches "vnd.dovecot.config.mailplane_spam_action" "*" { set "action" "${1}"; }
  if environment :matches "vnd.dovecot.config.mailplane_auto_junk" "*" { set "autojunk" "${1}"; }
  # An empty threshold compares as infinity: never spam.
  if header :value "ge" :comparator "i;ascii-numeric" "X-Mailplane-Spam-Score" "${threshold}" {
    set "spam" "1";
    if string :is "${action}" "tag" {
      set "subject" "";
      if header :matches "Subject" "*" { set "subject" "${1}"; }
      deleteheader "Subject";
      addheader :last "Subject" "[SPAM] ${subject}";
      addheader "X-Spam" "Yes";
    } elsif string :is "${action}" ["junk", "reject"] {
      # reject: refused at SMTP time when this mailbox decided; here another recipient did.
      fileinto :create "Junk";
      stop;
    }
  }
  if header :value "ge" :comparator "i;ascii-numeric" "X-Mailplane-Spam-Score" "${autojunk}" {
    fileinto :create "Junk";
    stop;
  }
}

if allof (string :is "${spam}" "0", environment :is "vnd.dovecot.config.mailplane_vacation" "1") {
  set "reply" "This mailbox is not attended at the moment.";
  if environment :matches "vnd.dovecot.config.mailplane_vacation_message" "?*" {
    set "reply" "${0}";
  }
  # One reply per sender per day; Pigeonhole never answers lists, bulk mail, auto-replies or bounces.
  vacation :days 1 "${reply}";
}
EOF
}

ms__opendkim_conf() {
  cat <<EOF
# Mailplane base configuration, written by scripts/mailstack.sh. Reconcile renders KeyTable,
# SigningTable and keys/ under $MS_DK.
Syslog                  yes
LogWhy                  yes
Mode                    sv
Canonicalization        relaxed/simple
OversignHeaders         From
UserID                  $MS_DK_USER:$MS_DK_USER
UMask                   007
Socket                  inet:$MS_DKIM@127.0.0.1
PidFile                 $MS_DK_PID
KeyTable                file:$MS_DK/KeyTable
SigningTable            refile:$MS_DK/SigningTable
InternalHosts           127.0.0.1, ::1
EOF
}

ms__postfix_base() {
  local saved=() p v pl_smtp pl_sub
  local main_stamp master_stamp
  main_stamp="$(printf '%s' "$(ms__main_cf)" | sha256sum | cut -d' ' -f1)"
  master_stamp="$(printf '%s' "$(ms__master_cf)" | sha256sum | cut -d' ' -f1)"
  if [[ -f "$MS_PF/main.cf" && "$(cat "$MS_PF/.mailplane-main.cf.sha256" 2>/dev/null || true)" == "$main_stamp" &&
    -f "$MS_PF/master.cf" && "$(cat "$MS_PF/.mailplane-master.cf.sha256" 2>/dev/null || true)" == "$master_stamp" ]]; then
    return 0
  fi
  # Carry over what reconcile set (only from a main.cf this script wrote before).
  if [[ -f "$MS_PF/.mailplane-main.cf.sha256" ]]; then
    for p in "${MS_RECONCILED_PARAMS[@]}"; do
      v="$(postconf -c "$MS_PF" -nh "$p" 2>/dev/null || true)"
      [[ -n "$v" ]] && saved+=("$p = $v")
    done
    pl_smtp="$(postconf -c "$MS_PF" -Fh "127.0.0.1:$MS_SMTP/inet/process_limit" 2>/dev/null || true)"
    pl_sub="$(postconf -c "$MS_PF" -Fh "127.0.0.1:$MS_SUB/inet/process_limit" 2>/dev/null || true)"
  fi
  ms__install_file "$MS_PF/main.cf" 644 root:root "$(ms__main_cf)" || return 1
  ms__install_file "$MS_PF/master.cf" 644 root:root "$(ms__master_cf)" || return 1
  if ((${#saved[@]} > 0)); then postconf -c "$MS_PF" -e "${saved[@]}" || return 1; fi
  [[ -n "${pl_smtp:-}" ]] && postconf -c "$MS_PF" -F "127.0.0.1:$MS_SMTP/inet/process_limit=$pl_smtp"
  [[ -n "${pl_sub:-}" ]] && postconf -c "$MS_PF" -F "127.0.0.1:$MS_SUB/inet/process_limit=$pl_sub"
  # postconf -e rewrote main.cf: keep the stamp of the base so the next run does not rewrite it again.
  echo "$main_stamp" >"$MS_PF/.mailplane-main.cf.sha256"
  return 0
}

ms__base_config() {
  ms__antispam_config || return 1
  ms__postfix_base || return 1
  ms__install_file "$MS_DC/dovecot.conf" 644 root:root "$(ms__dovecot_conf)" || return 1
  ms__ensure_file "$MS_DC/mailplane-sql.conf.ext" 640 root:dovecot "$(ms__dovecot_sql_placeholder)" || return 1
  install -d -o root -g root -m 755 "$MS_DC/sieve"
  ms__install_file "$MS_DC/sieve/mailplane-before.sieve" 644 root:root "$(ms__sieve_before)" || return 1
  # Compiled once here: vmail cannot write beside the script, and would otherwise compile it per delivery.
  if [[ ! -f "$MS_DC/sieve/mailplane-before.svbin" || "$MS_DC/sieve/mailplane-before.sieve" -nt "$MS_DC/sieve/mailplane-before.svbin" ]]; then
    sievec -c "$MS_DC/dovecot.conf" "$MS_DC/sieve/mailplane-before.sieve" || { ms_err "sievec failed on $MS_DC/sieve/mailplane-before.sieve"; return 1; }
    chmod 644 "$MS_DC/sieve/mailplane-before.svbin"
  fi
  ms__ensure_file "$MS_DC/mailplane.conf" 644 root:root "# rendered by reconcile"$'\n' || return 1
  ms__install_file "$MS_DK_CONF" 644 root:root "$(ms__opendkim_conf)" || return 1
  ms__ensure_file "$MS_DK/KeyTable" 640 "root:$MS_DK_USER" "" || return 1
  ms__ensure_file "$MS_DK/SigningTable" 640 "root:$MS_DK_USER" "" || return 1
}

# The read-only role Postfix and Dovecot log in as must be able to log in (migrations make it NOLOGIN).
ms__role() {
  # shellcheck source=scripts/lib/services.sh
  source "$MP_MS_REPO/scripts/lib/services.sh"
  mp__parse_db_url || return 1
  mp__pg_admin || return 1
  local pw="" out
  if [[ -n "${MAILSTACK_DATABASE_URL:-}" ]]; then
    mp__parse_url "$MAILSTACK_DATABASE_URL" 5432
    pw="$MP_URL_PASS"
  fi
  # The app role becomes a member so that dropping a (test) database can end the daemons' sessions in
  # it (DROP DATABASE ... WITH (FORCE) may only terminate backends of roles one is a member of).
  out="$(mp__pg_admin_sql "role=$MS_ROLE" "pw=$pw" "app=$MP_DB_USER" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN', :'role') FROM pg_roles WHERE rolname = :'role' AND NOT rolcanlogin \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') WHERE :'pw' <> '' \gexec
SELECT format('GRANT %I TO %I', :'role', :'app') FROM pg_roles a
 WHERE a.rolname = :'app' AND NOT a.rolsuper AND a.rolname <> :'role'
   AND NOT pg_has_role(a.oid, (SELECT oid FROM pg_roles WHERE rolname = :'role'), 'MEMBER') \gexec
SQL
)" || { ms_err "could not give role $MS_ROLE LOGIN: $out"; return 1; }
  [[ "$out" == *"CREATE ROLE"* || "$out" == *"ALTER ROLE"* ]] && ms_log "postgres: role $MS_ROLE can log in"
  [[ "$out" == *"GRANT ROLE"* ]] && ms_log "postgres: $MP_DB_USER is a member of $MS_ROLE"
  return 0
}

# OpenDKIM only logs to syslog; without a syslogd its errors vanish. A tiny /dev/log catcher.
ms__syslog() {
  command -v python3 >/dev/null 2>&1 || return 0
  ms__pidfile_alive "$MS_SYSLOG_PID" && return 0
  if python3 -c 'import socket;s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);s.connect("/dev/log")' 2>/dev/null; then return 0; fi
  nohup python3 -c '
import os, socket, sys, time
try: os.unlink("/dev/log")
except FileNotFoundError: pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); os.chmod("/dev/log", 0o666)
with open("/var/log/syslog", "a", buffering=1) as f:
    while True:
        f.write(time.strftime("%b %d %H:%M:%S ") + s.recv(65536).decode("utf-8", "replace").rstrip("\n\x00") + "\n")
' >/dev/null 2>&1 &
  echo $! >"$MS_SYSLOG_PID"
}

ms__postfix_running() { postfix -c "$MS_PF" status >/dev/null 2>&1; }
ms__dovecot_running() { ms__pidfile_alive /run/dovecot/master.pid; }
# The pid file alone is not enough: another start may have replaced it (or removed it) meanwhile.
ms__opendkim_pids() {
  local p
  { cat "$MS_DK_PID" 2>/dev/null || true; pgrep -x opendkim 2>/dev/null || true; } | sort -u | while read -r p; do
    ms__alive "$p" && echo "$p"
  done
}
ms__opendkim_running() { [[ -n "$(ms__opendkim_pids)" ]]; }

ms__changed() { local f; for f in "${MS_CHANGED[@]}"; do [[ "$f" == "$1"* ]] && return 0; done; return 1; }

ms__stop_opendkim() {
  local p i pids
  pids="$(ms__opendkim_pids)"
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for i in $(seq 100); do
    [[ -z "$(ms__opendkim_pids)" ]] && break
    sleep 0.1
  done
  rm -f "$MS_DK_PID"
  # The socket must be free before a new one binds it.
  for i in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$MS_DKIM") 2>/dev/null || break; sleep 0.1; done
}

ms__start() {
  local out
  ms__antispam_start || return 1
  if ! out="$(postfix -c "$MS_PF" check 2>&1)" || [[ "$out" == *fatal* ]]; then ms_err "postfix check: $out"; return 1; fi
  if ms__postfix_running; then
    if ms__changed "$MS_PF/"; then postfix -c "$MS_PF" reload 2>/dev/null && ms_log "postfix reloaded"; fi
  else
    postfix -c "$MS_PF" start 2>/dev/null && ms_log "postfix started" || { ms_err "postfix start failed; see $MS_LOG"; return 1; }
  fi

  if ! out="$(doveconf -n -c "$MS_DC/dovecot.conf" 2>&1 >/dev/null)"; then ms_err "doveconf: $out"; return 1; fi
  if ms__dovecot_running; then
    if ms__changed "$MS_DC/"; then doveadm -c "$MS_DC/dovecot.conf" reload && ms_log "dovecot reloaded"; fi
  else
    dovecot -c "$MS_DC/dovecot.conf" && ms_log "dovecot started" || { ms_err "dovecot failed to start; see /var/log/dovecot.log"; return 1; }
  fi

  if ! out="$(opendkim -n -x "$MS_DK_CONF" 2>&1)"; then ms_err "opendkim -n: $out"; return 1; fi
  if ms__opendkim_running && ms__changed "$MS_DK_CONF"; then ms__stop_opendkim; fi
  if ! ms__opendkim_running; then
    opendkim -x "$MS_DK_CONF" && ms_log "opendkim started" || { ms_err "opendkim failed to start; see /var/log/syslog"; return 1; }
  fi
  ms__wait_tcp 127.0.0.1 "$MS_SMTP" && ms__wait_tcp 127.0.0.1 "$MS_IMAP" && ms__wait_tcp 127.0.0.1 "$MS_DKIM"
}

mp_mailstack_up() {
  ms__env
  if [[ "$(id -u)" != 0 ]]; then ms_err "run as root (it installs packages and starts daemons)"; return 1; fi
  ms__packages || return 1
  ms__users_dirs || return 1
  ms__base_config || return 1
  ms__role || return 1
  ms__syslog
  ms__start || return 1
  ms_log "ready: smtpd 127.0.0.1:$MS_SMTP, submission 127.0.0.1:$MS_SUB (SASL), IMAP 127.0.0.1:$MS_IMAP, POP3 127.0.0.1:$MS_POP3," \
    "LMTP 127.0.0.1:$MS_LMTP + private/dovecot-lmtp, OpenDKIM milter 127.0.0.1:$MS_DKIM," \
    "Rspamd milter 127.0.0.1:$MS_RS_MILTER, clamd 127.0.0.1:$MS_CLAMD, DNS 127.0.0.1:$MS_DNS; log $MS_LOG"
}

mp_mailstack_stop() {
  ms__env
  if ms__postfix_running; then postfix -c "$MS_PF" stop 2>/dev/null && ms_log "postfix stopped"; fi
  if ms__dovecot_running; then doveadm -c "$MS_DC/dovecot.conf" stop && ms_log "dovecot stopped"; fi
  if ms__opendkim_running; then ms__stop_opendkim && ms_log "opendkim stopped"; fi
  ms__antispam_stop
}

mp_mailstack_status() {
  ms__env
  local down=0
  if ms__postfix_running; then ms_log "postfix: running"; else ms_log "postfix: stopped"; down=1; fi
  if ms__dovecot_running; then ms_log "dovecot: running"; else ms_log "dovecot: stopped"; down=1; fi
  if ms__opendkim_running; then ms_log "opendkim: running"; else ms_log "opendkim: stopped"; down=1; fi
  ms__antispam_status || down=1
  return "$down"
}

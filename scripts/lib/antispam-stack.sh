# shellcheck shell=bash
# The anti-spam part of the loopback mail stack (sourced by scripts/lib/mailstack.sh): Rspamd as Postfix's
# milter, ClamAV (clamd) behind Rspamd's antivirus module, and a dnsmasq that answers Rspamd's DNS
# queries on loopback (SPF/DKIM/DMARC/DNSBL lookups get a fast local answer; nothing leaves the box).
#
# Static here: workers, DNS, Redis, the Lua policy (rspamd.local.lua), the multimap rules and the
# antivirus rule. Rendered by reconcile (libs/mailstack/src/rspamd): $MS_RS/mailplane/*.map,
# local.d/greylist.conf and override.d/rbl.conf; this file only creates them when missing.
#
# Environment (defaults): RSPAMD_CONFIG_DIR=/etc/rspamd MAILSTACK_RSPAMD_MILTER_PORT=11332
# MAILSTACK_CLAMD_PORT=3310 MAILSTACK_DNS_PORT=5353 MAILSTACK_RSPAMD_REDIS (127.0.0.1:6379, db 7).

ms__antispam_env() {
  MS_RS="${RSPAMD_CONFIG_DIR:-/etc/rspamd}"
  MS_RS_MILTER="${MAILSTACK_RSPAMD_MILTER_PORT:-11332}"
  MS_RS_PID=/run/rspamd/rspamd.pid
  MS_CLAMD="${MAILSTACK_CLAMD_PORT:-3310}"
  MS_CLAMD_CONF=/etc/clamav/mailplane-clamd.conf
  MS_CLAMD_DB=/var/lib/mailplane/clamav
  MS_CLAMD_PID=/run/clamav/mailplane-clamd.pid
  MS_DNS="${MAILSTACK_DNS_PORT:-5353}"
  MS_DNS_CONF=/etc/mailplane/dnsmasq.conf
  MS_DNS_PID=/run/mailplane-dnsmasq.pid
  MS_RS_REDIS="${MAILSTACK_RSPAMD_REDIS:-127.0.0.1:6379}"
}

# Loopback DNS for Rspamd. The zones under mailplane.test are the development/test fixtures: two DNSBL
# zones that list 127.0.0.9 (the test suites send from that address to be "listed").
ms__dnsmasq_conf() {
  cat <<EOF
# Written by scripts/mailstack.sh: loopback DNS for Rspamd; never forwards anywhere.
port=$MS_DNS
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
pid-file=$MS_DNS_PID
local=/mailplane.test/
host-record=9.0.0.127.dnsbl-a.mailplane.test,127.0.0.2
host-record=9.0.0.127.dnsbl-b.mailplane.test,127.0.0.2
EOF
}

ms__clamd_conf() {
  cat <<EOF
# Written by scripts/mailstack.sh. Signatures come only from $MS_CLAMD_DB (no freshclam: nothing downloads).
TCPSocket $MS_CLAMD
TCPAddr 127.0.0.1
DatabaseDirectory $MS_CLAMD_DB
PidFile $MS_CLAMD_PID
User clamav
Foreground false
LogFile /var/log/clamav/mailplane-clamd.log
LogTime true
OfficialDatabaseOnly false
SelfCheck 0
EOF
}

# The EICAR anti-virus test file as a body signature (the official databases are not downloaded here).
ms__clamd_eicar() {
  local eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
  printf 'Eicar-Test-Signature.Mailplane:0:*:%s' "$(printf '%s' "$eicar" | od -An -tx1 | tr -d ' \n')"
}

ms__rspamd_lua() {
  cat <<'EOF'
-- Mailplane's per-recipient policy, written by scripts/mailstack.sh. The maps it reads are rendered by
-- Mailplane's reconcile (libs/mailstack/src/rspamd/rspamd-maps.renderer.ts):
--   recipients.map  "<address>|@<domain>|*  <reject-at score or ->  <greylist 0|1>  <clamav none|tag|reject>"
--   globals.map     "greylist 0|1" and "dnsbl_threshold N" (0 = DNSBL off)
--   domain_lists.map "<domain>|ip|<net>/<len>", "<domain>|from|<address>", "<domain>|domain|<name>" -> whitelist|blacklist
-- Tag/junk/auto-junk happen at delivery in Dovecot's Sieve (per mailbox, from the score header set here);
-- what must happen at SMTP time (spam reject, virus, DNSBL, greylisting) happens here.
local N = 'mailplane'
local dir = rspamd_paths['CONFDIR'] .. '/mailplane/'
local recipients = rspamd_config:add_map({ type = 'hash', url = 'file://' .. dir .. 'recipients.map', description = 'Mailplane per-recipient policy' })
local globals = rspamd_config:add_map({ type = 'hash', url = 'file://' .. dir .. 'globals.map', description = 'Mailplane anti-spam globals' })

local function parse(v)
  if not v then return nil end
  local r, g, c = tostring(v):match('^(%S+)%s+(%S+)%s+(%S+)')
  if not r then return nil end
  return { reject = tonumber(r), greylist = g == '1', clamav = c }
end

-- The first recipient of ours decides (a mailbox entry before its domain's); mail for no recipient of
-- ours follows the platform default ('*').
local function policy(task)
  local p = task:cache_get('mailplane_policy')
  if p then return p end
  for _, r in ipairs(task:get_recipients('smtp') or {}) do
    p = parse(recipients:get_key((r.addr or ''):lower())) or parse(recipients:get_key('@' .. (r.domain or ''):lower()))
    if p then break end
  end
  p = p or parse(recipients:get_key('*')) or { greylist = false, clamav = 'reject' }
  task:cache_set('mailplane_policy', p)
  return p
end

local function global_number(name)
  return tonumber(globals:get_key(name) or '') or 0
end

rspamd_config:register_symbol({
  name = 'MAILPLANE_POLICY',
  type = 'prefilter',
  priority = 10,
  callback = function(task)
    -- The greylist module then greylists whatever the score (it normally waits for the greylist action).
    if policy(task).greylist and global_number('greylist') == 1 then
      task:get_mempool():set_variable('grey_greylisted_required', '1')
    end
  end,
})

local function reject(task, message)
  task:set_pre_result({ action = 'reject', message = message, module = N, priority = 10 })
end

-- The domains' own lists (domain_lists.map), for mail to that domain: after the platform lists.
local domain_lists = rspamd_config:add_map({ type = 'hash', url = 'file://' .. dir .. 'domain_lists.map', description = 'Mailplane per-domain lists' })

local function domain_verdict(task, dom)
  local from = (task:get_from('smtp') or {})[1] or {}
  local sender, sender_domain = (from.addr or ''):lower(), (from.domain or ''):lower()
  local v = (sender ~= '' and domain_lists:get_key(dom .. '|from|' .. sender)) or
    (sender_domain ~= '' and domain_lists:get_key(dom .. '|domain|' .. sender_domain))
  if v then return v end
  local ip = task:get_from_ip()
  if not (ip and ip:is_valid()) then return nil end
  -- Longest prefix first: one lookup per prefix length covers single addresses and CIDR entries.
  for len = (ip:get_version() == 6 and 128 or 32), 0, -1 do
    v = domain_lists:get_key(string.format('%s|ip|%s/%d', dom, ip:apply_mask(len):to_string(), len))
    if v then return v end
  end
  return nil
end

rspamd_config:register_symbol({
  name = 'MAILPLANE_DOMAIN_LISTS',
  type = 'normal',
  augmentations = { 'passthrough' },
  score = 0.0,
  callback = function(task)
    if task:has_pre_result() then return end
    local seen = {}
    for _, r in ipairs(task:get_recipients('smtp') or {}) do
      local dom = (r.domain or ''):lower()
      if dom ~= '' and not seen[dom] then
        seen[dom] = true
        local v = domain_verdict(task, dom)
        if v == 'blacklist' then return reject(task, 'Refused by the blacklist of ' .. dom) end
        if v == 'whitelist' then
          task:set_pre_result({ action = 'no action', message = 'Whitelisted by ' .. dom, module = N, priority = 10 })
          return
        end
      end
    end
  end,
})
for _, list in ipairs({ 'WHITELIST', 'BLACKLIST' }) do
  for _, kind in ipairs({ 'IP', 'FROM', 'DOMAIN' }) do
    rspamd_config:register_dependency('MAILPLANE_DOMAIN_LISTS', 'MAILPLANE_' .. list .. '_' .. kind)
  end
end

rspamd_config:register_symbol({
  name = 'MAILPLANE_ACTION',
  type = 'postfilter',
  priority = 10,
  callback = function(task)
    local p = policy(task)
    local add = {}
    -- Only this filter may set these: whatever the sender put there goes.
    local remove = { ['X-Mailplane-Spam-Score'] = 0, ['X-Mailplane-Virus'] = 0 }
    local function finish() task:set_milter_reply({ add_headers = add, remove_headers = remove }) end
    -- An earlier verdict (whitelist accept, blacklist reject, greylisting) stands.
    if task:has_pre_result() then finish(); return end

    local threshold = global_number('dnsbl_threshold')
    if threshold > 0 then
      local zones = {}
      for _, s in ipairs(task:get_symbols_all() or {}) do
        if s.name:match('^MAILPLANE_DNSBL_') then zones[#zones + 1] = s.name end
      end
      if #zones >= threshold then
        return reject(task, string.format('Client %s is listed by %d DNS block list(s)', tostring(task:get_from_ip()), #zones))
      end
    end

    local virus = task:get_symbol('CLAM_VIRUS')
    if virus then
      local name = ((virus[1] or {}).options or {})[1] or 'unknown'
      if p.clamav == 'reject' then return reject(task, 'Virus found: ' .. name) end
      if p.clamav == 'tag' then add['X-Mailplane-Virus'] = name end
    end

    local score = task:get_metric_score('default')[1]
    if p.reject and score >= p.reject then
      return reject(task, string.format('Message refused as spam (score %.2f, limit %.2f)', score, p.reject))
    end
    -- Centi-points, never negative: Sieve compares it as a number (i;ascii-numeric).
    add['X-Mailplane-Spam-Score'] = string.format('%d', math.max(0, math.floor(score * 100 + 0.5)))
    finish()
  end,
})
EOF
}

ms__rspamd_multimap() {
  local list kind action msg
  for list in whitelist blacklist; do
    if [[ $list == whitelist ]]; then action=accept; msg=""; else action=reject; msg="message = \"Refused by the platform blacklist\";"; fi
    for kind in ip from domain; do
      local up="${list^^}_${kind^^}" map="\${CONFDIR}/mailplane/${list}_${kind}.map" type
      case $kind in
        ip) type='type = "ip";' ;;
        from) type='type = "from"; filter = "email:addr";' ;;
        domain) type='type = "from"; filter = "email:domain";' ;;
      esac
      echo "MAILPLANE_$up { $type map = \"$map\"; prefilter = true; action = \"$action\"; $msg description = \"Mailplane $list ($kind)\"; }"
    done
  done
}

# The stock multimap rules read maps from maps.rspamd.com: point them at an empty local map instead.
ms__rspamd_multimap_override() {
  local r t f
  for r in envfrom:from envrcpt:rcpt from:header:from to:header:To cc:header:Cc replyto:header:Reply-To; do
    IFS=: read -r t f h <<<"$r"
    local hdr=""
    [[ "$f" == header ]] && hdr="header = \"$h\";"
    [[ "$f" == header ]] || h=""
    for kind in freemail disposable; do
      echo "${kind}_$t { type = \"$f\"; $hdr filter = \"email:domain\"; map = \"\${CONFDIR}/mailplane/empty.map\"; symbol = \"${kind^^}_${t^^}\"; score = 0.0; }"
    done
  done
}

ms__rspamd_static() {
  local d="$MS_RS"
  ms__install_file "$d/local.d/worker-proxy.inc" 644 root:root "bind_socket = \"127.0.0.1:$MS_RS_MILTER\";
milter = yes;
timeout = 120s;
upstream \"local\" { default = yes; self_scan = yes; }" || return 1
  ms__install_file "$d/local.d/worker-normal.inc" 644 root:root 'bind_socket = "127.0.0.1:11333";' || return 1
  ms__install_file "$d/local.d/worker-controller.inc" 644 root:root 'bind_socket = "127.0.0.1:11334";' || return 1
  ms__install_file "$d/local.d/options.inc" 644 root:root "dns { nameserver = [\"127.0.0.1:$MS_DNS\"]; timeout = 1s; retransmits = 1; }" || return 1
  ms__install_file "$d/local.d/redis.conf" 644 root:root "servers = \"$MS_RS_REDIS\";
db = \"7\";" || return 1
  # Rspamd's own actions stay off: MAILPLANE_ACTION decides per recipient, Sieve tags and files.
  ms__install_file "$d/local.d/actions.conf" 644 root:root 'reject = null;
add_header = null;
rewrite_subject = null;
greylist = null;' || return 1
  ms__install_file "$d/local.d/milter_headers.conf" 644 root:root 'use = ["authentication-results", "x-spamd-bar"];
skip_local = false;
skip_authenticated = true;' || return 1
  ms__install_file "$d/local.d/antivirus.conf" 644 root:root "clamav {
  type = \"clamav\";
  servers = \"127.0.0.1:$MS_CLAMD\";
  symbol = \"CLAM_VIRUS\";
  scan_mime_parts = false;
  log_clean = false;
}" || return 1
  local m
  for m in phishing mid mime_types whitelist fuzzy_check asn surbl; do
    ms__install_file "$d/local.d/$m.conf" 644 root:root '# Off: needs maps or services from the internet.
enabled = false;' || return 1
  done
  ms__install_file "$d/local.d/multimap.conf" 644 root:root "$(ms__rspamd_multimap)" || return 1
  ms__install_file "$d/override.d/multimap.conf" 644 root:root "$(ms__rspamd_multimap_override)" || return 1
  ms__install_file "$d/rspamd.local.lua" 644 root:root "$(ms__rspamd_lua)" || return 1
  install -d -o root -g _rspamd -m 750 "$d/mailplane"
  for m in whitelist_ip whitelist_from whitelist_domain blacklist_ip blacklist_from blacklist_domain recipients domain_lists empty; do
    ms__ensure_file "$d/mailplane/$m.map" 644 root:root "" || return 1
  done
  ms__ensure_file "$d/mailplane/globals.map" 644 root:root $'greylist 0\ndnsbl_threshold 0' || return 1
  ms__ensure_file "$d/local.d/greylist.conf" 644 root:root "# rendered by reconcile" || return 1
  ms__ensure_file "$d/override.d/rbl.conf" 644 root:root $'url_whitelist = [];\nrbls {}' || return 1
}

ms__antispam_config() {
  ms__antispam_env
  install -d -m 755 /etc/mailplane "$MS_CLAMD_DB"
  ms__install_file "$MS_DNS_CONF" 644 root:root "$(ms__dnsmasq_conf)" || return 1
  ms__install_file "$MS_CLAMD_CONF" 644 root:root "$(ms__clamd_conf)" || return 1
  ms__install_file "$MS_CLAMD_DB/mailplane-eicar.ndb" 644 root:root "$(ms__clamd_eicar)" || return 1
  install -d -o clamav -g clamav -m 755 /run/clamav /var/log/clamav
  install -d -o _rspamd -g _rspamd -m 755 /run/rspamd /var/lib/rspamd
  ms__rspamd_static
}

ms__rspamd_running() { ms__pidfile_alive "$MS_RS_PID"; }
ms__clamd_running() { ms__pidfile_alive "$MS_CLAMD_PID"; }
ms__dnsmasq_running() { ms__pidfile_alive "$MS_DNS_PID"; }

ms__stop_pidfile() {
  local p i
  p="$(cat "$1" 2>/dev/null || true)"
  [[ -n "$p" ]] && kill "$p" 2>/dev/null
  for i in $(seq 100); do ms__alive "$p" || break; sleep 0.1; done
  rm -f "$1"
}

ms__antispam_start() {
  ms__antispam_env
  local out
  # dnsmasq does not reload its records on SIGHUP: restart it (milliseconds).
  if ms__dnsmasq_running && ms__changed "$MS_DNS_CONF"; then ms__stop_pidfile "$MS_DNS_PID"; fi
  if ! ms__dnsmasq_running; then
    dnsmasq -C "$MS_DNS_CONF" && ms_log "dnsmasq started (127.0.0.1:$MS_DNS)" || { ms_err "dnsmasq failed to start"; return 1; }
  fi
  if ms__clamd_running && { ms__changed "$MS_CLAMD_CONF" || ms__changed "$MS_CLAMD_DB/"; }; then ms__stop_pidfile "$MS_CLAMD_PID"; fi
  if ! ms__clamd_running; then
    clamd -c "$MS_CLAMD_CONF" >/dev/null 2>&1 && ms_log "clamd started (127.0.0.1:$MS_CLAMD)" || { ms_err "clamd failed to start; see /var/log/clamav/mailplane-clamd.log"; return 1; }
  fi
  if ! out="$(rspamadm configtest 2>&1)"; then ms_err "rspamadm configtest: $out"; return 1; fi
  if ms__rspamd_running; then
    if ms__changed "$MS_RS/"; then kill -HUP "$(cat "$MS_RS_PID")" && ms_log "rspamd reloaded"; fi
  else
    rspamd -u _rspamd -g _rspamd >/dev/null 2>&1 </dev/null && ms_log "rspamd started" || { ms_err "rspamd failed to start; see /var/log/rspamd/rspamd.log"; return 1; }
  fi
  ms__wait_tcp 127.0.0.1 "$MS_RS_MILTER" && ms__wait_tcp 127.0.0.1 "$MS_CLAMD"
}

ms__antispam_stop() {
  ms__antispam_env
  if ms__rspamd_running; then ms__stop_pidfile "$MS_RS_PID" && ms_log "rspamd stopped"; fi
  if ms__clamd_running; then ms__stop_pidfile "$MS_CLAMD_PID" && ms_log "clamd stopped"; fi
  if ms__dnsmasq_running; then ms__stop_pidfile "$MS_DNS_PID" && ms_log "dnsmasq stopped"; fi
  return 0
}

# Prints each daemon's state; returns 1 when one is down.
ms__antispam_status() {
  ms__antispam_env
  local down=0
  if ms__rspamd_running; then ms_log "rspamd: running"; else ms_log "rspamd: stopped"; down=1; fi
  if ms__clamd_running; then ms_log "clamd: running"; else ms_log "clamd: stopped"; down=1; fi
  if ms__dnsmasq_running; then ms_log "dnsmasq: running"; else ms_log "dnsmasq: stopped"; down=1; fi
  return "$down"
}

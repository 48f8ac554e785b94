#!/usr/bin/env bash
# Starts the local stack: the 1C simulator (mailbox, 1C endpoint) and `wrangler dev` with every
# Worker (real workerd, local D1, R2 and Queues), migrations applied first.
# Usage: scripts/stack.sh start STATE_DIR PORT SIM_PORT   |   scripts/stack.sh stop STATE_DIR
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
cmd="$1"; state="$2"

# Exits 0 once the portal and the simulator answer (60 s at most), else 1 with the log's end.
wait_until_up() {
  for _ in $(seq 1 120); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/" && curl -sf -o /dev/null "http://127.0.0.1:$sim_port/health"; then
      exit 0
    fi
    sleep 0.5
  done
  echo "the $1 stack did not start; see $state/wrangler.log and $state/sim.log" >&2
  tail -20 "$state/wrangler.log" >&2
  exit 1
}
case "$cmd" in
start)
  port="$3"; sim_port="$4"
  mkdir -p "$state"
  if [ "${RUNTIME:-workers}" != native ]; then
    npx wrangler d1 migrations apply portal --local --persist-to "$state" -c functions/auth/wrangler.toml >"$state/migrations.log" 2>&1 \
      || { cat "$state/migrations.log"; exit 1; }
  fi
  cargo build -q --release -p onec-sim
  # The simulator's YooKassa notifies the portal's card route, as the shop settings would; its 1C
  # sends snapshots to this portal, and polls for changes when the stack runs in pull mode.
  pull=""
  case " ${STACK_VARS:-} " in *" ONEC_DELIVERY=pull "*) pull="--pull" ;; esac
  target/release/onec-sim serve --port "$sim_port" --portal "http://127.0.0.1:$port" $pull \
    --yookassa-webhook "http://127.0.0.1:$port/api/orders/card-notifications" >"$state/sim.log" 2>&1 &
  echo $! > "$state/sim.pid"
  if [ "${RUNTIME:-workers}" = native ]; then
    # The self-hosted runtime (functions/server): the same variables and secrets, read from one
    # file; the test client plays the reverse proxy (X-Forwarded-For from 127.0.0.1 is believed).
    cargo build -q -p portal-server
    # BLOB_BACKEND=s3 with a local S3_ENDPOINT in STACK_VARS: a fake S3 that checks every
    # signature (tests/lib/fake-s3.mjs) serves it, its objects under the state folder.
    case " ${STACK_VARS:-} " in *" BLOB_BACKEND=s3 "*)
      s3_port=$(printf '%s\n' ${STACK_VARS} | sed -n 's#^S3_ENDPOINT=http://127\.0\.0\.1:\([0-9]*\)$#\1#p')
      if [ -n "$s3_port" ]; then
        env $(printf '%s\n' ${STACK_VARS} | grep '^S3_') node tests/lib/fake-s3.mjs "$s3_port" "$state/s3" >"$state/s3.log" 2>&1 &
        echo $! > "$state/s3.pid"
      fi ;;
    esac
    # SMTP_HOST=127.0.0.1 with SMTP_PORT in STACK_VARS: a fake relay (tests/lib/fake-smtp.mjs)
    # decodes each message into the simulator's mailbox, so the mail tests run over SMTP.
    case " ${STACK_VARS:-} " in *" SMTP_HOST=127.0.0.1 "*)
      smtp_port=$(printf '%s\n' ${STACK_VARS} | sed -n 's#^SMTP_PORT=\([0-9]*\)$#\1#p')
      MAIL_API_TOKEN="$(sed -n 's/^MAIL_API_TOKEN=//p' .dev-secrets)" \
        node tests/lib/fake-smtp.mjs "$smtp_port" "http://127.0.0.1:$sim_port" >"$state/smtp.log" 2>&1 &
      echo $! > "$state/smtp.pid" ;;
    esac
    env_file="$state/native.env"
    { grep -h '^[A-Z_]* = ' functions/*/wrangler.toml | sed -e 's/ = /=/' -e 's/"//g' | sort -u
      cat .dev-secrets
      echo "ALLOW_TEST_CLOCK=true"
      echo "PUBLIC_URL=http://127.0.0.1:$port"
      echo "MAIL_API_URL=http://127.0.0.1:$sim_port/mail"
      echo "ONEC_PUSH_URL=http://127.0.0.1:$sim_port/hs/portal/v1"
      echo "YOOKASSA_API_URL=http://127.0.0.1:$sim_port/yookassa/v3"
      echo "BIND=127.0.0.1:$port"
      echo "DATABASE_PATH=$state/portal.sqlite3"
      echo "BLOB_DIR=$state/blobs"
      echo "STATIC_DIR=$ROOT/static"
      echo "MIGRATIONS_DIR=$ROOT/d1-migrations"
      echo "TRUSTED_PROXIES=127.0.0.1"
      printf '%s\n' ${STACK_VARS:-}
    } > "$env_file"
    PORTAL_ENV_FILE="$env_file" setsid target/debug/portal-server >"$state/wrangler.log" 2>&1 < /dev/null &
    echo $! > "$state/wrangler.pid"
    wait_until_up native
  fi
  # Each stack gets its own copies of the configs (absolute paths, this stack's ports, its
  # .dev.vars), so a test stack and a dev stack never share settings. `--var` would reach only
  # the entry Worker.
  cfg="$state/config"
  mkdir -p "$cfg"
  sed -e "s#^main = \"#main = \"$ROOT/#" -e "s#^directory = \"#directory = \"$ROOT/#" wrangler.toml > "$cfg/wrangler.toml"
  configs="-c $cfg/wrangler.toml"
  for cap in $CAPABILITIES; do
    mkdir -p "$cfg/$cap"
    sed -e "s#^main = \"build/#main = \"$ROOT/functions/$cap/build/#" \
        -e "s#\.\./\.\./d1-migrations#$ROOT/d1-migrations#" \
        -e "s#^PUBLIC_URL = .*#PUBLIC_URL = \"http://127.0.0.1:$port\"#" \
        -e "s#^MAIL_API_URL = .*#MAIL_API_URL = \"http://127.0.0.1:$sim_port/mail\"#" \
        -e "s#^ONEC_PUSH_URL = .*#ONEC_PUSH_URL = \"http://127.0.0.1:$sim_port/hs/portal/v1\"#" \
        -e "s#^YOOKASSA_API_URL = .*#YOOKASSA_API_URL = \"http://127.0.0.1:$sim_port/yookassa/v3\"#" \
        "functions/$cap/wrangler.toml" > "$cfg/$cap/wrangler.toml"
    # REPORT_WASM_MEMORY: answers carry the isolate's wasm memory (dev stacks only: tests/benches).
    { cat .dev-secrets; echo "ALLOW_TEST_CLOCK=true"; echo "REPORT_WASM_MEMORY=true"; printf '%s\n' ${STACK_VARS:-}; } > "$cfg/$cap/.dev.vars"
    configs="$configs -c $cfg/$cap/wrangler.toml"
  done
  setsid npx wrangler dev $configs --persist-to "$state" --ip 127.0.0.1 --port "$port" --inspector-port 0 \
    >"$state/wrangler.log" 2>&1 < /dev/null &
  echo $! > "$state/wrangler.pid"
  wait_until_up workers
  ;;
stop)
  for f in wrangler sim s3 smtp; do
    if [ -f "$state/$f.pid" ]; then
      pid=$(cat "$state/$f.pid")
      kill -- -"$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
      # Wait until the whole group is gone, so a restart never talks to a dying server.
      for _ in $(seq 1 50); do
        kill -0 -- -"$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
      done
      kill -9 -- -"$pid" 2>/dev/null || true
      rm -f "$state/$f.pid"
    fi
  done
  ;;
esac

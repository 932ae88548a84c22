#!/usr/bin/env bash
# Property-based test of the JSON API with schemathesis (PyPI, pinned): a bounded number of
# generated requests per operation, checking for server errors and for responses (status,
# headers, body) that break the schema. Three runs against one server:
#   1. our own document (/api/openapi.json), with a token;
#   2. the original plan's contract (tests/contract/original.openapi.json), with a token;
#   3. that contract without a token: its 401 must be the `application/json` it documents
#      (the app sends `application/problem+json` only to clients whose Accept asks for it).
#
#   tests/schemathesis/run.sh [BINARY]     # default: target/debug/task-dashboard (built if missing)
#
# Excluded checks, and why: positive_data_acceptance (a change the schema allows can still be
# rightly refused: a generated `version` is stale (409), a generated id is nobody's task (404)); object_level_authorization
# (needs a second user's credentials; tests/app/api.rs proves 404 for other users' tasks).
# DELETE /api/auth/token (operation "revoke_token") is left out: it would sign the fuzzer itself out;
# tests/app/api.rs covers it. POST /api/auth/token ("create_token") is left out too: generated
# credentials can only be refused (401) and then limited (429); tests/app/sign_in.rs and
# attacks/brute_force.rs cover it. Against the original contract, unsupported_method and
# allow_header_conformance are left out: that contract documents only GET /api/tasks, and both
# checks would take the POST /api/tasks our API has added since (422 to an empty body,
# "Allow: GET, POST" on a 405) for a method the resource should not have.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCHEMATHESIS_VERSION=4.32.5
binary=${1:-target/debug/task-dashboard}
[[ -x $binary ]] || cargo build --quiet
venv=target/schemathesis-venv
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  # --clear: a venv moved from elsewhere keeps scripts pointing at its old path.
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
BIND_ADDR=127.0.0.1:$port DATABASE_URL="sqlite://$work/fuzz.db" DATA_DIR=$work RUST_LOG=warn \
  JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n') "$binary" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

jar=$work/cookies
token=$(curl -fs -c "$jar" "$base/signup" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
curl -fs -b "$jar" -c "$jar" -o /dev/null \
  --data-urlencode email=fuzz@example.com --data-urlencode "password=fuzzing is fun 1" \
  --data-urlencode "password_confirm=fuzzing is fun 1" --data-urlencode "csrf_token=$token" "$base/signup"
bearer=$(curl -fs -H 'Content-Type: application/json' \
  -d '{"email":"fuzz@example.com","password":"fuzzing is fun 1"}' "$base/api/auth/token" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

status=0
schemathesis() {
  local location=$1; shift
  echo "== schemathesis: $location $*" | sed 's/Bearer [^ ]*/Bearer …/'
  "$venv/bin/schemathesis" run "$location" "$@" \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-25}" --seed "${SCHEMATHESIS_SEED:-1}" --no-color \
    --checks all || status=$?
}
schemathesis "$base/api/openapi.json" -H "Authorization: Bearer $bearer" \
  --exclude-operation-id revoke_token --exclude-operation-id create_token \
  --exclude-checks positive_data_acceptance,object_level_authorization
contract=tests/contract/original.openapi.json
added_since=unsupported_method,allow_header_conformance
schemathesis "$contract" --url "$base" -H "Authorization: Bearer $bearer" --exclude-checks "$added_since"
# Without a token every answer is the 401 under test: the "authentication failed" warning is
# what this run is for, so it alone is not shown; every other warning is.
all_but_auth=missing_test_data,base_url_mismatch,validation_mismatch,missing_deserializer,unused_openapi_auth,unsupported_regex,method_not_allowed,unresolvable_reference,low_valid_rate,rate_limited
schemathesis "$contract" --url "$base" --exclude-checks "$added_since" --warnings "$all_but_auth"
if grep -q "panicked" "$work/server.log"; then
  echo "the server panicked:"; grep -A5 panicked "$work/server.log"; status=1
fi
exit $status

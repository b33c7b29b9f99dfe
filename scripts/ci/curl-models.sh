#!/usr/bin/env bash
# A CI step: what a workflow does with the action's access_token output and nothing
# else, a plain HTTP call: list the Gemini models at the fake with curl.
# Needs ACCESS_TOKEN (steps.<id>.outputs.access_token, through env:), and the fake's
# FAKE_GOOGLE_GENERATIVELANGUAGE_URL; sends the quota project the action exported, if any.
set -euo pipefail
: "${ACCESS_TOKEN:?set ACCESS_TOKEN to the access_token output of gemini-auth}"
: "${FAKE_GOOGLE_GENERATIVELANGUAGE_URL:?start the fake first: node scripts/ci/start-fake-google.ts}"
headers=(-H "Authorization: Bearer $ACCESS_TOKEN")
if [ -n "${GOOGLE_CLOUD_QUOTA_PROJECT:-}" ]; then headers+=(-H "x-goog-user-project: $GOOGLE_CLOUD_QUOTA_PROJECT"); fi
body=$(curl --silent --show-error --fail-with-body "${headers[@]}" "$FAKE_GOOGLE_GENERATIVELANGUAGE_URL/v1beta/models")
if ! grep -q '"models/gemini-2.5-flash"' <<<"$body"; then
  echo "::error::curl with the access_token output did not list models/gemini-2.5-flash: $(head -c 300 <<<"$body")"
  exit 1
fi
echo "curl with the access_token output listed $(grep -c '"name": "models/' <<<"$body") models."

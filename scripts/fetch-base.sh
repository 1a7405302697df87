#!/usr/bin/env bash
# Download the pinned linux-source-5.10 package of the chosen base (BASE=, bases/*.conf)
# and verify its sha256.
. "$(dirname "$0")/lib.sh"
fetch_pinned "$BASE_SUITE" "$BASE_PATH" "$BASE_SHA256" "$DL/${BASE_PATH##*/}"
step "fetch: ${BASE_PATH##*/} sha256 ok (base $BASE, $BASE_UPSTREAM)"

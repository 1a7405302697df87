#!/usr/bin/env bash
# Download the pinned linux-source-5.10 package and verify its sha256.
. "$(dirname "$0")/lib.sh"
fetch_pinned "$BASE_SUITE" "$BASE_PATH" "$BASE_SHA256" "$BUILD/dl/${BASE_PATH##*/}"
step "fetch: ${BASE_PATH##*/} sha256 ok"

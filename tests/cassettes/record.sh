#!/bin/sh
# Re-record the cassettes of tests/cassettes against a sandbox started by the tests themselves
# (127.0.0.1:18765, CDN 127.0.0.2:18766, seed 1, clock stopped at the fixtures' epoch), then
# replay them offline, then look for secrets. Run from the repository root:
#     sh tests/cassettes/record.sh
# Review `git diff tests/cassettes/cassettes` before committing: a change in a body is a change
# in what the sandbox (or our requests) does.
set -eu
PYTEST="${PYTEST:-.venv/bin/pytest}"
rm -rf tests/cassettes/cassettes
"$PYTEST" -q tests/cassettes --record-mode=once
"$PYTEST" -q tests/cassettes --record-mode=none --block-network

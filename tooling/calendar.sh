#!/usr/bin/env bash
# The calendar lane of `npm test` (a package's `test:calendar`): the given test files of the
# package, with every clock moved to a month's edge, so a test or a partition, rollup or retention
# rule that holds only on some days fails here instead of on the first of next month.
#   - the last minutes of a year, on the server (the run crosses into a new month and year);
#   - the first hour of a month after a leap day, on the embedded database.
# Every suite passed at both moments on both engines when this lane was made (README, Testing).
# libfaketime slows every clock read (the embedded database reads it often): tests get 5 minutes.
set -euo pipefail
here="$(dirname "$0")"
ACLUE_TEST_DRIVERS=pg "$here/at-time.sh" '2027-12-31 23:58:30 UTC' npx vitest run --testTimeout=300000 "$@"
ACLUE_TEST_DRIVERS=pglite "$here/at-time.sh" '2028-03-01 00:00:00 UTC' npx vitest run --testTimeout=300000 "$@"

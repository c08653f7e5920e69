#!/usr/bin/env bash
# Abuse run: the studio with its default rate limits and quotas, on loopback (bench/run_against_studio.sh), against
# bench/StemGen.Abuse.Bench (200 registrations and 2,000 job requests from 20 scripted accounts, one well-behaved
# user beside them). Arguments go to the bench; PORT, STEMGEN_TORCH_THREADS and KEEP_DATA as run_against_studio.sh says.
#
#   bench/abuse_run.sh                                     # 200 registrations, 2,000 job requests
#   bench/abuse_run.sh --registrations 50 --jobs 400
exec "$(dirname "$0")/run_against_studio.sh" bench/StemGen.Abuse.Bench stemgen-abuse-bench -- "$@"

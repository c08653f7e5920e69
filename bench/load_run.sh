#!/usr/bin/env bash
# Load run: the studio on loopback (bench/run_against_studio.sh) against bench/StemGen.Load.Bench. The bench measures
# load, not abuse: its users register and act from one address, so the rate limits and the job quota are lifted for it. The studio's
# generation worker shares the machine with the bench; the bench enqueues jobs but does not wait for them and cancels
# them at the end. Arguments go to the bench; PORT, STEMGEN_TORCH_THREADS and KEEP_DATA as run_against_studio.sh says.
#
#   bench/load_run.sh                          # 50 users, 60 s
#   bench/load_run.sh --users 10 --seconds 20
exec "$(dirname "$0")/run_against_studio.sh" bench/StemGen.Load.Bench stemgen-load-bench \
  --studio --RateLimits:RegistrationsPerHour=100000 --studio --RateLimits:SignInsPerMinute=100000 \
  --studio --RateLimits:UploadsPerMinute=100000 --studio --RateLimits:JobsPerMinute=100000 \
  --studio --RateLimits:WritesPerMinutePerAddress=100000 --studio --Quotas:MaxQueuedJobsPerUser=100000 -- "$@"

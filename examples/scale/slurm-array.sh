#!/bin/sh
# slurm-array.sh: a Slurm job array, one task per shard: its features, then its
# predictions when the model exists. Submit from this folder, once files.list is made
# (make files.list DATA=...), with as many tasks as SHARDS:
#
#   sbatch --array=0-7 slurm-array.sh                # features and predictions (MODEL exists)
#   sbatch --array=0-7 slurm-array.sh features       # features only: then train (make model.h5)
#   sbatch --array=0-7 slurm-array.sh classify       # predictions only
#   make ENGINE=slurm                                # or let make submit and wait (sbatch --wait)
#
# Without Slurm, the same by hand: SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_COUNT=8 sh slurm-array.sh
#SBATCH --job-name=snd-shard
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=02:00:00
set -eu
step=${1:-all}
i=${SLURM_ARRAY_TASK_ID:?slurm-array.sh: not an array task (set SLURM_ARRAY_TASK_ID)}
# The number of shards: SHARDS (make sets it, as the array may be a few shards to redo),
# else the size of the array.
n=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?slurm-array.sh: set SLURM_ARRAY_TASK_COUNT to the number of shards}}
# sbatch runs a copy of this script from its spool: work where it was submitted.
cd "${SLURM_SUBMIT_DIR:-.}"
THREADS=${SLURM_CPUS_PER_TASK:-1}
MODEL=${MODEL:-model.h5}
export THREADS MODEL
case $step in
all | features) sh shard.sh features "$i" "$n" ;;
esac
case $step in
all) [ ! -f "$MODEL" ] || sh shard.sh classify "$i" "$n" ;;
classify) sh shard.sh classify "$i" "$n" ;;
features) ;;
*) echo "slurm-array.sh: unknown step $step (all, features or classify)" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The worker image on this machine's NVIDIA GPU, one JSON line per check:
#   gpu       what nvidia-smi says of the card (name, driver, memory)
#   engine    DJL's engine in the image: libtorch's version, the GPUs it sees, a 2x2 product computed on the GPU
#   matmul    float32 2048² matmul GFLOP/s on the GPU
#   training  one epoch of the 784-512-512-10 MLP on Fashion-MNIST (batch 128, SGD with momentum) as a job runs it
#   grid      a 21x21 plane of that MLP on 10,000 + 10,000 images, rows of it, points/s against the algebraic bound
#   training-bf16, grid-bf16   the same two with "precision": "bf16" (Autocast; on a CPU it runs for MLPs only); the
#             grid's largestRelativeDifference is then bf16's effect on the values against the float32 per-point loop
# Needs Docker with the NVIDIA container toolkit and the image (docker compose build gpu-worker, or
# VALLEY_WORKER_IMAGE=... for another tag). Run from anywhere:  tools/gpu-check.sh [rows]
# The lines go to stdout; the engine's log goes to stderr. Exits non-zero when a check fails.
# VALLEY_GPU_CHECK_DEVICE=cpu runs the same checks on the CPU, without --gpus (the deploy tests run it so, with the
# CPU worker's image, since no GPU is on the machines that run them).
set -euo pipefail
DEVICE=${VALLEY_GPU_CHECK_DEVICE:-gpu}
IMAGE=${VALLEY_WORKER_IMAGE:-valley/gpu-worker:0.1.0}
ROWS=${1:-3}
GPUS=(--gpus all)
[[ $DEVICE == cpu ]] && GPUS=()

command -v docker >/dev/null || { echo '{"check": "docker", "ok": false, "error": "no docker command"}'; exit 1; }
docker image inspect "$IMAGE" >/dev/null 2>&1 \
  || { echo "{\"check\": \"image\", \"ok\": false, \"error\": \"no image $IMAGE: docker compose build gpu-worker\"}"; exit 1; }

if [[ $DEVICE == cpu ]]; then
  echo '{"check": "gpu", "name": null, "note": "VALLEY_GPU_CHECK_DEVICE=cpu: the checks run on the CPU"}'
elif command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader,nounits | head -1 \
    | awk -F', ' '{ printf "{\"check\": \"gpu\", \"name\": \"%s\", \"driver\": \"%s\", \"memoryMiB\": %s}\n", $1, $2, $3 }'
else
  echo '{"check": "gpu", "name": null, "note": "no nvidia-smi on the host; the container may still see a GPU"}'
fi

# A class of the worker's jar on the device; only its JSON lines.
on_gpu() {
  docker run --rm "${GPUS[@]}" --entrypoint java "$IMAGE" -Dvalley.device="$DEVICE" -Dloader.main="$1" \
    -cp /app/worker.jar org.springframework.boot.loader.launch.PropertiesLauncher "${@:2}" | grep '^{' || return 1
}

on_gpu dev.valley.worker.science.EngineInfo "$DEVICE" --json
on_gpu dev.valley.worker.science.bench.TrainingBenchmark 1 --arch mlp --json \
  | sed -e 's/^{"bench":"training","matmulGflops"/{"check":"matmul","matmulGflops"/' -e 's/^{"bench":"training"/{"check":"training"/'
on_gpu dev.valley.worker.science.bench.GridBenchmark "$ROWS" --json | tail -1 | sed 's/^{"bench":"grid"/{"check":"grid"/'
on_gpu dev.valley.worker.science.bench.TrainingBenchmark 1 --arch mlp --precision bf16 --json \
  | grep -v '^{"bench":"training","matmulGflops"' | sed 's/^{"bench":"training"/{"check":"training-bf16"/'
on_gpu dev.valley.worker.science.bench.GridBenchmark "$ROWS" --precision bf16 --json | tail -1 \
  | sed 's/^{"bench":"grid"/{"check":"grid-bf16"/'

#!/usr/bin/env bash
# End-to-end load benchmark on a GPU machine: vLLM -> whyrec serve -> benchmarks/load.py.
#
#   benchmarks/gpu_vllm.sh [MODEL] [WORKSPACE]
#   default MODEL Qwen/Qwen2.5-7B-Instruct; WORKSPACE defaults to whyrec serve's own default.
#
# Starts vLLM with scripts/serve_vllm.sh (its own environment, created once), waits for it,
# starts `whyrec serve --llm openai:...` on it, waits for /healthz, then runs the load
# generator at concurrency 1, 8 and 32 twice: against WhyRec's OpenAI-compatible endpoint
# (the whole agent: tools, ranking, grounding, LLM) and against vLLM directly (generation
# alone), so the agent's share of time to first token and turn latency can be read off as a
# ratio. Results: benchmarks/results/load_whyrec_gpu.json and load_vllm_gpu.json.
# Environment: CONVERSATIONS (32), CONCURRENCY (1,8,32), VLLM_PORT (8000), WHYREC_PORT (7860).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:-Qwen/Qwen2.5-7B-Instruct}"
workspace="${2:-}"
vllm_port="${VLLM_PORT:-8000}"
whyrec_port="${WHYREC_PORT:-7860}"
conversations="${CONVERSATIONS:-32}"
concurrency="${CONCURRENCY:-1,8,32}"
python="${root}/.venv/bin/python"
[ -x "$python" ] || python=python3
whyrec="${root}/.venv/bin/whyrec"
[ -x "$whyrec" ] || whyrec=whyrec
logs="${root}/benchmarks/results/tmp"
mkdir -p "$logs"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

wait_for() {  # URL SECONDS NAME
  local deadline=$((SECONDS + $2))
  until curl -fsS "$1" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "$3 did not come up at $1 (see $logs)" >&2; exit 1; fi
    sleep 3
  done
}

echo "starting vLLM ($model) ..." >&2
PORT="$vllm_port" "$root/scripts/serve_vllm.sh" "$model" >"$logs/vllm.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$vllm_port/v1/models" 1800 vLLM

echo "starting whyrec serve on vLLM ..." >&2
serve_args=(serve --host 127.0.0.1 --port "$whyrec_port" --llm "openai:http://127.0.0.1:$vllm_port/v1#$model" --no-progress)
[ -n "$workspace" ] && serve_args+=(--workspace "$workspace")
"$whyrec" "${serve_args[@]}" >"$logs/whyrec.log" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$whyrec_port/healthz" 1800 "whyrec serve"

cd "$root"
"$python" benchmarks/load.py --url "http://127.0.0.1:$whyrec_port/v1" --conversations "$conversations" \
  --concurrency "$concurrency" --label "whyrec+vllm $model" --out benchmarks/results/load_whyrec_gpu.json
"$python" benchmarks/load.py --url "http://127.0.0.1:$vllm_port/v1" --model "$model" \
  --conversations "$conversations" --concurrency "$concurrency" --label "vllm alone $model" \
  --out benchmarks/results/load_vllm_gpu.json

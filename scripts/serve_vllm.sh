#!/usr/bin/env bash
# Serve a chat model with vLLM for WhyRec's openai backend, in vLLM's own environment.
#
#   scripts/serve_vllm.sh MODEL [extra vllm serve args...]
#   e.g. scripts/serve_vllm.sh Qwen/Qwen2.5-7B-Instruct
#        then: whyrec serve --llm openai:http://127.0.0.1:8000/v1
#
# vLLM pins its own torch and clashes with gradio's pillow, so it gets a separate virtual
# environment (created once, default ~/.cache/whyrec/vllm-venv). The tool-call parser follows
# the model family: hermes for Qwen2.5/Qwen3 (and Hermes), llama3_json for Llama 3.1-3.3,
# mistral for Mistral; override with WHYREC_VLLM_TOOL_PARSER.
#
# Environment: HOST (127.0.0.1), PORT (8000), WHYREC_VLLM_VENV, WHYREC_VLLM_VERSION (pip spec,
# default "vllm"), WHYREC_VLLM_TOOL_PARSER, WHYREC_VLLM_MAX_MODEL_LEN (16384), PYTHON (python3).
set -euo pipefail

if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
model="$1"; shift

venv="${WHYREC_VLLM_VENV:-$HOME/.cache/whyrec/vllm-venv}"
python="${PYTHON:-python3}"
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
max_len="${WHYREC_VLLM_MAX_MODEL_LEN:-16384}"

tool_parser() {
  local name
  name="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')"
  case "$name" in
    *llama-3.1*|*llama-3.2*|*llama-3.3*|*llama3.1*|*llama3.2*|*llama3.3*|*llama-3-*|*meta-llama-3*) echo llama3_json ;;
    *mistral*|*mixtral*) echo mistral ;;
    *qwen*|*hermes*) echo hermes ;;
    *) echo hermes ;;
  esac
}
parser="${WHYREC_VLLM_TOOL_PARSER:-$(tool_parser "$model")}"

if [ ! -x "$venv/bin/vllm" ]; then
  echo "creating vLLM's environment in $venv (once; downloads vLLM and its torch) ..." >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --upgrade pip >&2
  "$venv/bin/pip" install "${WHYREC_VLLM_VERSION:-vllm}" >&2
fi

extra=()
if [ "$parser" = "llama3_json" ]; then
  # vLLM ships a Llama 3.1 JSON tool template; use it when present (it makes tool use reliable).
  template="$("$venv/bin/python" - <<'PY' 2>/dev/null || true
import pathlib, vllm
root = pathlib.Path(vllm.__file__).parent
hits = sorted(root.rglob("tool_chat_template_llama3.1_json.jinja"))
print(hits[0] if hits else "")
PY
)"
  if [ -n "$template" ]; then extra+=(--chat-template "$template"); fi
fi

echo "serving $model on http://$host:$port/v1 (tool-call parser: $parser)" >&2
echo "use it with: whyrec serve --llm openai:http://$host:$port/v1" >&2
exec "$venv/bin/vllm" serve "$model" \
  --host "$host" --port "$port" \
  --enable-auto-tool-choice --tool-call-parser "$parser" \
  --max-model-len "$max_len" \
  ${extra[@]+"${extra[@]}"} "$@"

